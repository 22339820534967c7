/**
 * Try it on an application's page, in Chromium against the real server: the code flow with PKCE
 * through the real authorization endpoint (consent screen included) to the built-in test callback,
 * which exchanges the code at the token endpoint and shows the decoded, verified ID token and the
 * userinfo response; a confidential app's pasted secret (wrong, then right); client credentials; a
 * tampered state; a non-admin refused; the same flows without JavaScript; axe and 390 px.
 */
import type { Browser, Page } from "@playwright/test";
import { createApplication } from "../lib/applications/commands.ts";
import { systemActor } from "../lib/audit/record.ts";
import type { Db } from "../lib/db/client.ts";
import {
  expect,
  seriousA11yViolations,
  signIn,
  test,
  uniqueName,
  type Account,
  horizontalOverflow,
} from "./support/fixtures";

const callbackPath = "/admin/try-it/callback";

async function newApplication(db: Db, input: Record<string, unknown>) {
  const name = uniqueName("Try");
  const created = await createApplication(db, { name, algorithm: "RS256", ...input }, systemActor);
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  return { ...created.application, clientSecret: created.clientSecret };
}

async function signInTo(page: Page, account: Account, path: string): Promise<void> {
  await page.goto(path);
  await signIn(page, account.email, account.password);
  await page.waitForURL((url) => url.pathname === new URL(path, "http://x").pathname);
}

/** Clicks the Try it sign-in button; the flow opens in a new tab, returned at the consent screen. */
async function startSignIn(page: Page, appName: string): Promise<Page> {
  const [popup] = await Promise.all([
    page.waitForEvent("popup"),
    page.getByRole("button", { name: `Sign in with ${appName}` }).click(),
  ]);
  await popup.waitForLoadState();
  return popup;
}

async function noJavaScriptPage(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
  return context.newPage();
}

test.describe("Try it", () => {
  test("public app: add the test callback in one click, consent in a new tab, see the verified ID token and userinfo", async ({
    page,
    baseURL,
    db,
    makeUser,
  }) => {
    const admin = await makeUser({ admin: true });
    const app = await newApplication(db, {
      clientType: "public",
      grantTypes: ["authorization_code"],
      redirectUris: ["https://spa.example.com/cb"],
      allowedScopes: ["openid", "profile", "email"],
    });
    const callback = `${baseURL}${callbackPath}`;
    await signInTo(page, admin, `/admin/applications/${app.id}/try-it`);
    await expect(page.getByRole("link", { name: "Try it" })).toHaveAttribute("aria-current", "page");
    await expect(page.getByTestId("try-it-callback-url")).toHaveText(callback);
    await expect(page.getByTestId("try-it-callback-missing")).toBeVisible();

    await page.getByRole("button", { name: "Add the test callback" }).click();
    await expect(page.getByTestId("try-it-callback-registered")).toBeVisible();
    await expect(page.getByTestId("try-it-notice")).toHaveText(/Test callback added/);
    const stored = await db.applicationUri.findMany({ where: { applicationId: app.id, kind: "REDIRECT" } });
    expect(stored.map((uri) => uri.uri).sort()).toEqual([callback, "https://spa.example.com/cb"].sort());
    const audited = await db.auditEvent.findFirstOrThrow({
      where: { applicationId: app.id, action: "application.updated" },
    });
    expect(audited.actorId).toBe(admin.id);
    expect(audited.details).toContain(callbackPath);

    const popup = await startSignIn(page, app.name);
    expect(new URL(popup.url()).pathname).toBe("/oauth/authorize");
    expect(new URL(popup.url()).searchParams.get("code_challenge_method")).toBe("S256");
    await popup.getByRole("button", { name: "Allow" }).click();
    await popup.waitForURL((url) => url.pathname === callbackPath);
    // A public app's code is exchanged as soon as the callback loads (with JavaScript).
    const result = popup.getByTestId("try-it-result");
    await expect(result).toBeVisible();
    await expect(popup.getByTestId("try-it-token-response")).toContainText('"token_type": "Bearer"');
    await expect(popup.getByTestId("try-it-access-token")).toHaveText(/^pca_/);
    await expect(popup.getByRole("button", { name: "Copy access token" })).toBeVisible();
    await expect(popup.getByTestId("try-it-signature")).toContainText("Signature verified against the JWKS");
    const claims = JSON.parse((await popup.getByTestId("try-it-id-claims").textContent())!) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: baseURL, aud: app.clientId, sub: admin.id, email: admin.email });
    expect(JSON.parse((await popup.getByTestId("try-it-id-header").textContent())!)).toMatchObject({ alg: "RS256" });
    const userinfo = JSON.parse((await popup.getByTestId("try-it-userinfo").textContent())!) as Record<string, unknown>;
    expect(userinfo).toMatchObject({ sub: admin.id, email: admin.email });
    await expect(popup.getByText("These are real tokens")).toBeVisible();
    expect(await db.accessToken.count({ where: { applicationId: app.id, userId: admin.id } })).toBe(1);

    // Reloading the callback cannot replay the code: the flow ended with the exchange.
    const reloaded = await popup.reload();
    expect(reloaded?.status()).toBe(200);
    await expect(popup.getByTestId("try-it-problem")).toContainText("already exchanged");
    expect(await db.accessToken.count({ where: { applicationId: app.id } })).toBe(1);

    await page.reload();
    await page.getByRole("button", { name: "Remove the test callback" }).click();
    await expect(page.getByTestId("try-it-callback-missing")).toBeVisible();
    const left = await db.applicationUri.findMany({ where: { applicationId: app.id, kind: "REDIRECT" } });
    expect(left.map((uri) => uri.uri)).toEqual(["https://spa.example.com/cb"]);
    await popup.close();
  });

  test("adding the test callback from a page drawn before another change refuses and undoes nothing", async ({
    page,
    baseURL,
    db,
    makeUser,
  }) => {
    const admin = await makeUser({ admin: true });
    const app = await newApplication(db, {
      clientType: "public",
      grantTypes: ["authorization_code"],
      redirectUris: ["https://spa.example.com/cb"],
    });
    await signInTo(page, admin, `/admin/applications/${app.id}/try-it`);
    // Meanwhile, in another tab: the app is made trusted.
    await db.application.update({ where: { id: app.id }, data: { skipAuthorization: true } });
    await page.getByRole("button", { name: "Add the test callback" }).click();
    await expect(page.getByTestId("try-it-notice")).toContainText("changed after you opened this page");
    const row = await db.application.findUniqueOrThrow({ where: { id: app.id }, include: { uris: true } });
    expect(row.skipAuthorization).toBe(true);
    expect(row.uris.map((uri) => uri.uri)).not.toContain(`${baseURL}${callbackPath}`);
  });

  test("confidential app: a wrong pasted secret is refused next to the field, the right one exchanges the code", async ({
    page,
    baseURL,
    db,
    makeUser,
  }) => {
    const admin = await makeUser({ admin: true });
    const app = await newApplication(db, {
      clientType: "confidential",
      grantTypes: ["authorization_code", "refresh_token"],
      redirectUris: [`${baseURL}${callbackPath}`],
      allowedScopes: ["openid", "email", "offline_access"],
    });
    await signInTo(page, admin, `/admin/applications/${app.id}/try-it`);
    await page.getByRole("checkbox", { name: /offline_access/ }).check();
    const popup = await startSignIn(page, app.name);
    await popup.getByRole("button", { name: "Allow" }).click();
    await popup.waitForURL((url) => url.pathname === callbackPath);
    const secret = popup.getByLabel("Client secret");
    await secret.fill(`${app.clientSecret!.slice(0, -2)}xx`);
    await popup.getByRole("button", { name: "Exchange the code" }).click();
    await expect(popup.locator("#field-secret-error")).toContainText("Check the secret");
    await expect(secret).toHaveAttribute("aria-invalid", "true");
    expect(await db.accessToken.count({ where: { applicationId: app.id } })).toBe(0);

    await secret.fill(app.clientSecret!);
    await popup.getByRole("button", { name: "Exchange the code" }).click();
    await expect(popup.getByTestId("try-it-result")).toBeVisible();
    await expect(popup.getByTestId("try-it-refresh-token")).toHaveText(/^pcr_/);
    await expect(popup.getByTestId("try-it-signature")).toBeVisible();
    expect(await db.accessToken.count({ where: { applicationId: app.id, userId: admin.id } })).toBe(1);
    // The secret is never written into the page's address or kept.
    expect(popup.url()).not.toContain(app.clientSecret!);
    await popup.close();
  });

  test("client credentials: a wrong secret is refused, the right one gets a token shown in full", async ({
    page,
    db,
    makeUser,
  }) => {
    const admin = await makeUser({ admin: true });
    const app = await newApplication(db, {
      clientType: "confidential",
      grantTypes: ["client_credentials"],
      allowedScopes: ["read", "write"],
      algorithm: "none",
      redirectUris: [],
    });
    await signInTo(page, admin, `/admin/applications/${app.id}/try-it`);
    await expect(page.locator("#code-flow")).toHaveCount(0);
    const form = page.locator("#client-credentials");
    await form.getByRole("checkbox", { name: /read/ }).check();
    await form.getByLabel("Client secret").fill("pcs_not-the-secret");
    await form.getByRole("button", { name: "Request a token" }).click();
    await expect(form.locator("#field-secret-error")).toContainText("invalid_client");
    await expect(form.getByRole("checkbox", { name: /read/ })).toBeChecked();

    await form.getByLabel("Client secret").fill(app.clientSecret!);
    await form.getByRole("button", { name: "Request a token" }).click();
    await expect(page.getByTestId("client-credentials-result")).toBeVisible();
    await expect(page.getByTestId("try-it-token-response")).toContainText('"scope": "read"');
    await expect(page.getByTestId("try-it-access-token")).toHaveText(/^pca_/);
    const issued = await db.accessToken.findMany({ where: { applicationId: app.id } });
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({ userId: null, scope: "read" });
  });

  test("an app with neither grant is told what Try it cannot do; device apps are pointed at the Quick start", async ({
    page,
    db,
    makeUser,
  }) => {
    const admin = await makeUser({ admin: true });
    const app = await newApplication(db, {
      clientType: "public",
      grantTypes: ["urn:ietf:params:oauth:grant-type:device_code"],
      redirectUris: [],
    });
    await signInTo(page, admin, `/admin/applications/${app.id}/try-it`);
    await expect(page.getByRole("heading", { name: "Nothing Try it can run for this app" })).toBeVisible();
    await page.getByRole("link", { name: "Open the Quick start" }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/applications/${app.id}/quick-start$`));
  });

  test("a tampered, missing or foreign state gives a clear error page and exchanges nothing", async ({
    page,
    browser,
    baseURL,
    db,
    makeUser,
  }) => {
    const admin = await makeUser({ admin: true });
    const app = await newApplication(db, {
      clientType: "public",
      grantTypes: ["authorization_code"],
      redirectUris: [`${baseURL}${callbackPath}`],
    });
    await signInTo(page, admin, `/admin/applications/${app.id}/try-it`);
    const popup = await startSignIn(page, app.name);
    const authorizeUrl = popup.url();
    const state = new URL(authorizeUrl).searchParams.get("state")!;
    // The browser holds the flow (its cookie); the answers below are not the authorization endpoint's.
    for (const query of [`code=pcc_forged&state=${state}x`, "code=pcc_forged", `error=access_denied&state=nope`]) {
      const response = await popup.goto(`${callbackPath}?${query}`);
      expect(response?.status(), query).toBe(200);
      await expect(popup.getByTestId("try-it-problem"), query).toContainText("Nothing was exchanged");
    }
    await expect(popup.getByTestId("try-it-problem")).toContainText("does not match");
    expect(await db.accessToken.count({ where: { applicationId: app.id } })).toBe(0);
    // The real answer still completes the flow: the forged ones did not end it.
    await popup.goto(authorizeUrl);
    await popup.getByRole("button", { name: "Allow" }).click();
    await expect(popup.getByTestId("try-it-result")).toBeVisible();

    // A browser that never started a flow.
    const other = await browser.newContext({ baseURL });
    const stranger = await other.newPage();
    await signInTo(stranger, admin, `${callbackPath}?code=pcc_x&state=${state}`);
    await expect(stranger.getByTestId("try-it-problem")).toContainText("no Try it sign-in waiting");
    await other.close();
    await popup.close();
  });

  test("non-admins are refused: the Try it page, the callback and the start", async ({
    page,
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const app = await newApplication(db, {
      clientType: "public",
      grantTypes: ["authorization_code"],
      redirectUris: [`${baseURL}${callbackPath}`],
    });
    await page.goto("/login");
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname === "/account");
    for (const path of [`/admin/applications/${app.id}/try-it`, `${callbackPath}?code=x&state=y`]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(403);
    }
    const started = await page.request.post("/admin/try-it/start", {
      form: { application: app.id, scope: "openid" },
      headers: { origin: baseURL! },
      maxRedirects: 0,
    });
    expect(started.status()).toBe(403);
    expect(await started.text()).toContain("Only administrators");
    // Signed out, the start sends to sign-in rather than anywhere near the authorization endpoint.
    const anonymous = await page.context().browser()!.newContext({ baseURL });
    const refused = await anonymous.request.post("/admin/try-it/start", {
      form: { application: app.id },
      headers: { origin: baseURL! },
      maxRedirects: 0,
    });
    expect(refused.status()).toBe(303);
    expect(refused.headers()["location"]).toContain("/login");
    await anonymous.close();
  });

  test("without JavaScript: add the callback, sign in, exchange with a button, and client credentials", async ({
    browser,
    baseURL,
    db,
    makeUser,
  }) => {
    const admin = await makeUser({ admin: true });
    const app = await newApplication(db, {
      clientType: "confidential",
      grantTypes: ["authorization_code", "client_credentials"],
      redirectUris: ["https://web.example.com/cb"],
      allowedScopes: ["openid", "email", "read"],
    });
    const page = await noJavaScriptPage(browser, baseURL!);
    await signInTo(page, admin, `/admin/applications/${app.id}/try-it`);
    await page.getByRole("button", { name: "Add the test callback" }).click();
    await expect(page.getByTestId("try-it-callback-registered")).toBeVisible();

    const popup = await startSignIn(page, app.name);
    await popup.getByRole("button", { name: "Allow" }).click();
    await popup.waitForURL((url) => url.pathname === callbackPath);
    await popup.getByLabel("Client secret").fill(app.clientSecret!);
    await popup.getByRole("button", { name: "Exchange the code" }).click();
    await expect(popup.getByTestId("try-it-result")).toBeVisible();
    const claims = JSON.parse((await popup.getByTestId("try-it-id-claims").textContent())!) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: admin.id, email: admin.email });
    await expect(popup.getByTestId("try-it-userinfo")).toContainText(admin.email);

    const form = page.locator("#client-credentials");
    await form.getByRole("checkbox", { name: /read/ }).check();
    await form.getByLabel("Client secret").fill(app.clientSecret!);
    await form.getByRole("button", { name: "Request a token" }).click();
    await expect(page.getByTestId("try-it-token-response")).toContainText('"scope": "read"');
    await page.context().close();
  });

  test(
    "the Try it page and the callback are accessible and fit 390 px",
    { tag: "@rendering" },
    async ({ page, db, makeUser }) => {
      // Six axe scans, all at 390 px.
      test.setTimeout(90_000);
      const admin = await makeUser({ admin: true });
      const app = await newApplication(db, {
        name: uniqueName("A rather long application name for a phone"),
        clientType: "confidential",
        grantTypes: ["authorization_code", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code"],
        redirectUris: ["https://web.example.com/cb"],
      });
      await signInTo(page, admin, `/admin/applications/${app.id}/try-it`);
      // At 390 px only: wider, the page adds nothing but the admin header's email, which
      // admin-applications scans at 1280 px.
      await page.setViewportSize({ width: 390, height: 900 });
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
      await page.emulateMedia({ colorScheme: "dark" });
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: "light" });
      await page.getByRole("button", { name: "Add the test callback" }).click();
      await expect(page.getByTestId("try-it-callback-registered")).toBeVisible();
      await page.locator("#client-credentials").getByLabel("Client secret").fill(app.clientSecret!);
      await page.getByRole("button", { name: "Request a token" }).click();
      await expect(page.getByTestId("client-credentials-result")).toBeVisible();
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);

      const popup = await startSignIn(page, app.name);
      await popup.setViewportSize({ width: 390, height: 900 });
      await popup.getByRole("button", { name: "Allow" }).click();
      await popup.waitForURL((url) => url.pathname === callbackPath);
      expect(await seriousA11yViolations(popup)).toEqual([]);
      await popup.getByLabel("Client secret").fill(app.clientSecret!);
      await popup.getByRole("button", { name: "Exchange the code" }).click();
      await expect(popup.getByTestId("try-it-result")).toBeVisible();
      expect(await seriousA11yViolations(popup)).toEqual([]);
      expect(await horizontalOverflow(popup)).toBeLessThanOrEqual(0);
      await popup.goto(`${callbackPath}?code=x&state=y`);
      await expect(popup.getByTestId("try-it-problem")).toBeVisible();
      expect(await seriousA11yViolations(popup)).toEqual([]);
      expect(await horizontalOverflow(popup)).toBeLessThanOrEqual(0);
    },
  );
});
