/**
 * What a careful admin hit on the dashboard (issue 14): a lost update, errors out of sight, cut
 * names, silent copy buttons, URI lists split on spaces, no pending feedback, and the small items.
 */
import { createApplication, setApplicationTrusted } from "../lib/applications/commands.ts";
import { systemActor } from "../lib/audit/record.ts";
import { setUserDisabled } from "../lib/users/commands.ts";
import {
  expect,
  seriousA11yViolations,
  signIn,
  signInAsAdmin,
  test,
  uniqueName,
  type Account,
} from "./support/fixtures";
import { basic, codeFlowStart, registerClient, relyingParty } from "./support/oauth";
import type { Db } from "../lib/db/client.ts";
import type { Page, Route } from "@playwright/test";

async function newApplication(db: Db, name: string, extra: Record<string, unknown> = {}) {
  const created = await createApplication(
    db,
    {
      name,
      clientType: "confidential",
      grantTypes: ["authorization_code"],
      redirectUris: ["https://app.example.com/cb"],
      ...extra,
    },
    systemActor,
  );
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  return { ...created.application, clientSecret: created.clientSecret! };
}

/** Holds the browser's requests that `matches` picks until released, to see a page while it waits. */
async function holdRequests(page: Page, matches: (url: URL) => boolean) {
  const held: Route[] = [];
  await page.route(
    () => true,
    (route) => {
      if (matches(new URL(route.request().url()))) held.push(route);
      else void route.continue();
    },
  );
  return {
    count: () => held.length,
    release: async () => {
      await page.unrouteAll({ behavior: "ignoreErrors" });
      for (const route of held.splice(0)) await route.continue().catch(() => undefined);
    },
  };
}

test.describe("dashboard defects", () => {
  test("an edit from a stale page is refused with what changed, then reloaded or overwritten", async ({ page, db }) => {
    const name = uniqueName("Stale");
    const app = await newApplication(db, name);
    await signInAsAdmin(page, `/admin/applications/${app.id}/edit`);

    // Meanwhile, another tab trusts the app; this tab renames it and saves.
    await setApplicationTrusted(db, app.id, true, systemActor);
    const nameBox = page.getByRole("textbox", { name: "Name", exact: true });
    await nameBox.fill(`${name} renamed`);
    await page.getByRole("button", { name: "Save changes" }).click();

    const conflict = page.getByTestId("edit-conflict");
    await expect(conflict).toBeFocused();
    await expect(conflict).toContainText("Changed meanwhile: Trusted (skip consent)");
    await expect(nameBox).toHaveValue(`${name} renamed`);
    expect(await db.application.findUnique({ where: { id: app.id } })).toMatchObject({
      name,
      skipAuthorization: true,
    });
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Reload: the form shows what is stored now, and a save keeps the trust.
    await conflict.getByRole("link", { name: "Reload the current version" }).click();
    await expect(page.getByRole("checkbox", { name: "Trusted: skip the consent screen" })).toBeChecked();
    await expect(nameBox).toHaveValue(name);

    // A second conflict, overwritten on purpose: the admin's form wins.
    await setApplicationTrusted(db, app.id, false, systemActor);
    await nameBox.fill(`${name} v2`);
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(conflict).toContainText("Changed meanwhile: Trusted (skip consent)");
    // A mistake while overwriting: once fixed, the save is against the version the banner showed.
    await nameBox.fill("");
    await conflict.getByRole("button", { name: "Overwrite with my changes" }).click();
    await expect(page.getByTestId("form-errors")).toContainText("Name: Enter a name");
    await nameBox.fill(`${name} v2`);
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByTestId("toast").filter({ hasText: `Saved ${name} v2` })).toBeVisible();
    expect(await db.application.findUnique({ where: { id: app.id } })).toMatchObject({
      name: `${name} v2`,
      skipAuthorization: true,
    });
  });

  test("a refused save focuses a summary linking to each field; URIs are one per line, by line number", async ({
    page,
  }) => {
    await page.setViewportSize({ width: 390, height: 800 });
    await signInAsAdmin(page, "/admin/applications/new");
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(uniqueName("Lines"));
    const uris = page.getByLabel("Redirect URIs", { exact: true });
    await uris.fill("not a url\nhttps://ok.example.com/cb\n\nhttp://evil.example.com/cb\nhttps://ok.example.com/two");
    await page.getByRole("button", { name: "Create application" }).click();

    const summary = page.getByTestId("form-errors");
    await expect(summary).toBeFocused();
    await expect(summary).toBeInViewport();
    await expect(summary.getByRole("heading")).toContainText("There are 2 problems");
    await expect(summary.getByRole("link", { name: /^Redirect URIs: Line 1: not a url/ })).toBeVisible();
    await summary.getByRole("link", { name: /^Redirect URIs: Line 4: http:\/\/evil\.example\.com\/cb/ }).click();
    await expect(uris).toBeFocused();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  test(
    "lists show names and emails in full, with a narrow grant-types column",
    { tag: "@rendering" },
    async ({ page, db, makeUser }) => {
      const name = uniqueName("Demo: Staging environment for the quarterly reporting service");
      await newApplication(db, name, { grantTypes: ["authorization_code", "refresh_token", "client_credentials"] });
      const user = await makeUser();
      await signInAsAdmin(page);
      for (const width of [1440, 390]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(`/admin/applications?q=${encodeURIComponent(name)}`);
        const link = page.getByRole("link", { name });
        const cut = (element: HTMLElement | SVGElement) => element.scrollWidth > element.clientWidth + 1;
        expect({ width, cut: await link.evaluate(cut) }).toEqual({ width, cut: false });
        const clientId = page.getByTestId("application-row").locator("code");
        expect({ width, cut: await clientId.evaluate(cut) }).toEqual({ width, cut: false });
        if (width === 1440) {
          const grants = await page.getByRole("columnheader", { name: "Grant types" }).boundingBox();
          expect(grants!.width).toBeLessThan(360);
        }
        await page.goto(`/admin/users?q=${encodeURIComponent(user.email)}`);
        const email = page.getByText(user.email, { exact: true }).first();
        expect({ width, cut: await email.evaluate(cut) }).toEqual({ width, cut: false });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect({ width, overflow }).toEqual({ width, overflow: 0 });
      }
    },
  );

  test(
    "copy without a clipboard API selects the value and says how to copy; the icon is an SVG",
    { tag: "@rendering" },
    async ({ page, db }) => {
      const app = await newApplication(db, uniqueName("Copy"));
      // As over plain HTTP on a non-localhost address: no clipboard API at all.
      await page.addInitScript(() => {
        Object.defineProperty(Navigator.prototype, "clipboard", { get: () => undefined, configurable: true });
      });
      await signInAsAdmin(page, `/admin/applications/${app.id}`);
      const button = page.getByRole("button", { name: "Copy Token endpoint URL" });
      await expect(button.locator("svg")).toHaveCount(1);
      await button.click();
      await expect(page.getByText("Press Ctrl+C to copy").first()).toBeVisible();
      const selected = await page.evaluate(() => window.getSelection()?.toString());
      expect(selected).toMatch(/\/oauth\/token$/);
    },
  );

  test("Allow shows it is under way and takes one click; admin navigation shows progress", async ({
    page,
    baseURL,
    db,
    makeUser,
    clientApp,
  }) => {
    const user: Account = await makeUser();
    const registered = await registerClient(db, {
      name: "A printing service with a rather long name that wraps over lines",
    });
    const config = await relyingParty(baseURL!, registered);
    const flow = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, scope: "openid" });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(flow.url.toString());
    await signIn(page, user.email, user.password);

    // The app's icon stays square beside a long heading.
    const icon = page.getByTestId("consent-app-icon");
    const box = (await icon.boundingBox())!;
    expect(Math.round(box.width)).toBe(Math.round(box.height));

    // Count the submissions the page lets through, and keep the browser here to look at it.
    await page.evaluate(() => {
      const w = window as typeof window & { sent?: number };
      w.sent = 0;
      window.addEventListener("submit", (event) => {
        if (!event.defaultPrevented) w.sent! += 1;
        event.preventDefault();
      });
    });
    const allow = page.getByRole("button", { name: /Allow/ });
    await allow.click();
    await expect(allow).toHaveText("Allowing…");
    await expect(allow).toHaveAttribute("aria-disabled", "true");
    await allow.click({ force: true });
    expect(await page.evaluate(() => (window as typeof window & { sent?: number }).sent)).toBe(1);

    // Admin pages: a click on the nav shows a progress indicator while the next page loads.
    await page.setViewportSize({ width: 1440, height: 800 });
    await page.context().clearCookies();
    await signInAsAdmin(page, "/admin/applications");
    const pages = await holdRequests(page, (url) => url.pathname === "/admin/users");
    await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Users" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Loading" })).toBeVisible();
    await pages.release();
    await expect(page.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();
  });

  test("the small items: phone tabs, wrapping URLs, keyboard-scrollable tables, disabled accounts", async ({
    page,
    baseURL,
    db,
    makeUser,
  }) => {
    const app = await newApplication(db, uniqueName("Small"), {
      grantTypes: ["authorization_code", "client_credentials"],
    });
    const issued = await fetch(`${baseURL}/oauth/token`, {
      method: "POST",
      headers: { ...basic(app.clientId, app.clientSecret), "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    expect(issued.status).toBe(200);
    await page.setViewportSize({ width: 390, height: 800 });
    await signInAsAdmin(page, `/admin/applications/${app.id}`);

    const history = page.getByRole("link", { name: "History" });
    const box = (await history.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    const wordBreak = await page
      .getByTestId("endpoint-token")
      .evaluate((element) => getComputedStyle(element).wordBreak);
    expect(wordBreak).not.toBe("break-all");

    await page.goto(`/admin/applications/${app.id}/tokens`);
    await expect(page.getByRole("region", { name: "Active access tokens" })).toHaveAttribute("tabindex", "0");

    // A disabled account is named as such, but only to whoever knows its password.
    const user = await makeUser();
    await setUserDisabled(db, user.id, true, systemActor);
    await page.context().clearCookies();
    await page.goto("/login");
    await signIn(page, user.email, "not-the-password");
    await expect(page.getByTestId("sign-in-error")).toHaveText("That email and password don't match an account.");
    await signIn(page, user.email, user.password);
    await expect(page.getByTestId("sign-in-error")).toHaveText(
      "This account is disabled. Ask an administrator to enable it.",
    );
  });
});

test.describe("dashboard: what admins expect", () => {
  test("a preset fills the form, lifetimes read in words, and the app page lists security warnings", async ({
    page,
    db,
  }) => {
    await signInAsAdmin(page, "/admin/applications/new");
    await page.getByRole("link", { name: /^Single-page app/ }).click();
    await expect(page.getByRole("link", { name: /^Single-page app/ })).toHaveAttribute("aria-current", "true");
    await expect(page.getByLabel("Public", { exact: true })).toBeChecked();
    const access = page.getByLabel("Access token lifetime");
    await expect(access).toHaveValue("15 minutes");
    await expect(page.getByLabel("Refresh token lifetime")).toHaveValue("1 day");
    expect(await seriousA11yViolations(page)).toEqual([]);

    const name = uniqueName("Preset SPA");
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
    await page.getByLabel("Redirect URIs", { exact: true }).fill("https://spa.example.com/cb");
    await access.fill("2 days");
    await page.getByRole("button", { name: "Create application" }).click();
    await expect(page.getByRole("heading", { name: `${name} is ready` })).toBeVisible();

    const stored = await db.application.findFirstOrThrow({ where: { name } });
    expect(stored).toMatchObject({ clientType: "PUBLIC", accessTokenLifetime: 172_800, refreshTokenLifetime: 86_400 });
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`/admin/applications/${stored.id}`);
    const checks = page.getByTestId("security-checks");
    await expect(checks.locator("[data-warning=long-access-token]")).toContainText("Access token lifetime is 2 days");
    await expect(page.getByText("1 day", { exact: true })).toBeVisible();
    expect(await seriousA11yViolations(page)).toEqual([]);
  });

  test("quick start gives an app's own values; stat cards lead to their lists", async ({ page, baseURL, db }) => {
    const app = await newApplication(db, uniqueName("Quick"), { grantTypes: ["client_credentials"], redirectUris: [] });
    await page.setViewportSize({ width: 390, height: 800 });
    await signInAsAdmin(page, `/admin/applications/${app.id}/quick-start`);
    const discovery = (await page.getByTestId("quick-start-discovery").textContent())!;
    expect(discovery).toBe(`${baseURL}/.well-known/openid-configuration`);
    expect((await fetch(discovery)).status).toBe(200);
    const curl = page.getByTestId("snippet-curl");
    await expect(curl).toContainText(`${baseURL}/oauth/token`);
    await expect(curl).toContainText(app.clientId);
    await expect(
      page.getByRole("button", { name: "Copy curl: a token with client credentials snippet" }),
    ).toBeVisible();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.goto("/admin");
    await page.getByRole("link", { name: /^\d[\d,]* Users$/ }).click();
    await expect(page).toHaveURL(/\/admin\/users$/);
  });

  test("dark mode follows the system and stays accessible", { tag: "@rendering" }, async ({ page, db }) => {
    test.setTimeout(120_000);
    const app = await newApplication(db, uniqueName("Dark"), { grantTypes: ["authorization_code", "password"] });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto("/login");
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toMatch(/oklch\(0\.98|rgb\(248, 250, 252\)/);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await signInAsAdmin(page, "/admin");
    for (const path of ["/admin", `/admin/applications/${app.id}`, "/admin/applications/new?preset=web"]) {
      await page.goto(path);
      expect({ path, violations: await seriousA11yViolations(page) }).toEqual({ path, violations: [] });
    }
  });

  test("leaving a new secret's screen by a link asks first", async ({ page }) => {
    await signInAsAdmin(page, "/admin/applications/new");
    await page.goto("/admin/applications/new?preset=machine");
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(uniqueName("Once"));
    await page.getByRole("button", { name: "Create application" }).click();
    await expect(page.getByTestId("issued-client-secret")).toBeVisible();
    const asked: string[] = [];
    page.once("dialog", (dialog) => {
      asked.push(dialog.message());
      void dialog.dismiss();
    });
    await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Users" }).click();
    await expect.poll(() => asked).toEqual(["The client secret won't be shown again. Leave this page?"]);
    await expect(page.getByTestId("issued-client-secret")).toBeVisible();
    await page.getByRole("link", { name: /^Go to / }).click();
    await expect(page.getByRole("link", { name: "Edit" })).toBeVisible();
  });

  test("the audit log exports what its filters select, as CSV and JSON, to admins only", async ({
    page,
    db,
    baseURL,
  }) => {
    const name = uniqueName("Exported");
    await newApplication(db, name);
    const anonymous = await fetch(`${baseURL}/admin/audit/export?format=csv`, { redirect: "manual" });
    expect(anonymous.status).toBeGreaterThanOrEqual(300);
    expect(anonymous.status).toBeLessThan(400);

    await signInAsAdmin(page, "/admin/audit");
    await page.getByRole("searchbox", { name: "Application" }).fill(name);
    await page.getByRole("button", { name: "Filter" }).click();
    const csvLink = page.getByRole("link", { name: "CSV" });
    await expect(csvLink).toHaveAttribute("href", /app=.*format=csv$/);
    const csv = await page.request.get((await csvLink.getAttribute("href"))!);
    expect(csv.headers()["content-type"]).toContain("text/csv");
    const rows = (await csv.text()).trim().split("\r\n");
    expect(rows[0]).toBe("time,action,actor,ip,application,user,details");
    expect(rows.slice(1).map((row) => row.split(",")[1])).toEqual(["application.created"]);
    const json = await page.request.get((await page.getByRole("link", { name: "JSON" }).getAttribute("href"))!);
    expect((await json.json()) as unknown[]).toMatchObject([{ action: "application.created" }]);
  });
});
