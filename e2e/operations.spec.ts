/**
 * Operating the server: the audit log (every admin change made in the dashboard shows up, on
 * /admin/audit and on the application's History tab, and the filters work), the usage charts after
 * real token requests, and the accessibility of those pages on desktop and phone widths.
 */
import type { Page } from "@playwright/test";
import { admin, expect, signIn, signInAsAdmin, test, uniqueName, expectAccessibleAndFitting } from "./support/fixtures";
import { basic, registerClient } from "./support/oauth";

/** The UTC day the server counts a request made now under. */
const today = () => new Date().toISOString().slice(0, 10);

const entries = (page: Page) => page.getByTestId("audit-entry");

test.describe("operations: audit log", () => {
  test("each admin change in the dashboard is recorded, shown on the History tab and in the filterable log", async ({
    page,
  }) => {
    test.setTimeout(120_000);
    const name = uniqueName("Audited");
    const renamed = `${name} v2`;
    await signInAsAdmin(page, "/admin/applications/new");

    // Create: a confidential machine-to-machine client.
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Confidential").check();
    await page.getByRole("checkbox", { name: "Authorization code" }).uncheck();
    await page.getByRole("checkbox", { name: "Refresh token" }).uncheck();
    await page.getByRole("checkbox", { name: "Client credentials" }).check();
    await page.getByRole("button", { name: "Create application" }).click();
    await expect(page.getByRole("heading", { name: `${name} is ready` })).toBeVisible();
    const secret = (await page.getByTestId("issued-client-secret").textContent())!;
    await page.getByRole("link", { name: `Go to ${name}` }).click();
    // The secret screen's heading is the app's name too: wait for the app's own page.
    await page.waitForURL(/\/admin\/applications\/[^/]+$/);
    await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
    const id = new URL(page.url()).pathname.split("/").at(-1)!;

    // Edit: rename and set a lifetime.
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByLabel("Name").fill(renamed);
    await page.getByLabel("Access token lifetime").fill("15 minutes");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("heading", { name: renamed })).toBeVisible();

    // Trust toggle.
    await page.getByRole("switch", { name: `Trusted: ${renamed}` }).click();
    await expect(page.getByTestId("toast").filter({ hasText: "is trusted" })).toBeVisible();

    // Rotate the secret.
    await page.getByRole("button", { name: "Rotate secret" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Rotate secret" }).click();
    const rotated = (await page.getByTestId("issued-client-secret").textContent())!;
    await page.getByRole("link", { name: `Go to ${renamed}` }).click();

    // The History tab lists the four changes, newest first, with who and what changed.
    await page.getByRole("navigation", { name: "Application sections" }).getByRole("link", { name: "History" }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/applications/${id}/history$`));
    await expect(page.getByRole("link", { name: "History" })).toHaveAttribute("aria-current", "page");
    await expect(entries(page)).toHaveCount(4);
    expect(await entries(page).evaluateAll((items) => items.map((item) => item.getAttribute("data-action")))).toEqual([
      "application.secret_rotated",
      "application.trust_changed",
      "application.updated",
      "application.created",
    ]);
    for (const actor of await page.getByTestId("audit-actor").allTextContents()) expect(actor).toBe(admin.email);
    const update = entries(page).filter({ hasText: "Application updated" });
    await expect(update.getByTestId("audit-change").filter({ hasText: "Name:" })).toHaveText(
      `Name: from ${name} → to ${renamed}`,
    );
    await expect(update.getByTestId("audit-change").filter({ hasText: "Access token lifetime" })).toHaveText(
      "Access token lifetime: from (not set) → to 900",
    );
    await expect(entries(page).filter({ hasText: "Application trust changed" }).getByTestId("audit-change")).toHaveText(
      "Trusted (skip consent): from no → to yes",
    );
    await expect(entries(page).filter({ hasText: "Client secret rotated" }).getByTestId("audit-change")).toHaveText(
      `Client secret: from …${secret.slice(-4)} → to …${rotated.slice(-4)}`,
    );
    const history = (await page.locator("main").textContent())!;
    for (const value of [secret, rotated]) expect(history).not.toContain(value.slice(4));

    // The History tab's own filter: by action.
    await page.getByLabel("Action").selectOption("application.updated");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/action=application.updated/);
    await expect(entries(page)).toHaveCount(1);
    await expect(entries(page)).toContainText("Application updated");

    // The audit log filters by application name, actor and action.
    await page.goto("/admin/audit");
    await page.getByLabel("Application").fill(renamed);
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(entries(page)).toHaveCount(4);
    await expect(entries(page).first().getByTestId("audit-application")).toHaveText(renamed);
    await page.getByLabel("Actor").fill(admin.email);
    await page.getByLabel("Action").selectOption({ label: "Application trust changed" });
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/actor=.*app=.*action=application.trust_changed/);
    await expect(entries(page)).toHaveCount(1);
    await page.getByLabel("Actor").fill("cli");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByRole("heading", { name: "No entries match" })).toBeVisible();
    await page.getByRole("link", { name: "Clear filters" }).first().click();
    await expect(page).toHaveURL(/\/admin\/audit$/);
    await expect(page.getByLabel("Actor")).toHaveValue("");

    // Delete, then the log still names it by its recorded name, found by its ID.
    await page.goto(`/admin/applications/${id}`);
    await page.getByRole("button", { name: "Delete" }).click();
    await page
      .getByRole("dialog", { name: `Delete ${renamed}?` })
      .getByRole("button", { name: `Delete ${renamed}` })
      .click();
    await page.waitForURL("**/admin/applications");
    await page.goto(`/admin/audit?app=${id}`);
    await expect(entries(page)).toHaveCount(5);
    const deleted = entries(page).first();
    await expect(deleted).toHaveAttribute("data-action", "application.deleted");
    await expect(deleted.getByTestId("audit-application")).toHaveText(`${renamed} (deleted)`);
    await expect(deleted.getByTestId("audit-actor")).toHaveText(admin.email);
    expect(await page.locator("main").textContent()).not.toContain(rotated.slice(4));
  });

  test("the audit log pages through older entries and back", async ({ page, db }) => {
    // 30 entries of an action no other test records, a second apart.
    const action = `e2e.paging_${Date.now()}`;
    const start = Date.now() - 3600_000;
    await db.auditEvent.createMany({
      data: Array.from({ length: 30 }, (_, i) => ({
        createdAt: new Date(start + i * 1000),
        actorEmail: "system",
        action,
        details: JSON.stringify({ n: i }),
      })),
    });
    await signInAsAdmin(page, `/admin/audit`);
    await page.goto(`/admin/audit?action=${action}`);
    await expect(entries(page)).toHaveCount(25);
    await expect(entries(page).first()).toContainText("N: 29");
    await expect(page.getByRole("link", { name: "Newer" })).toHaveCount(0);
    await page.getByRole("link", { name: "Older" }).click();
    await expect(entries(page)).toHaveCount(5);
    await expect(entries(page).first()).toContainText("N: 4");
    await expect(entries(page).last()).toContainText("N: 0");
    await expect(page.getByRole("link", { name: "Older" })).toHaveCount(0);
    await page.getByRole("link", { name: "Newer" }).click();
    await expect(entries(page)).toHaveCount(25);
    await expect(entries(page).first()).toContainText("N: 29");
  });

  test("a signed-in user who is not an admin cannot read the audit log or the dashboard", async ({
    page,
    makeUser,
  }) => {
    const user = await makeUser();
    await page.goto("/login");
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => !url.pathname.startsWith("/login"));
    for (const path of ["/admin", "/admin/audit"]) {
      const response = await page.goto(path);
      expect({ path, status: response?.status() }).toEqual({ path, status: 403 });
    }
  });
});

test.describe("operations: usage charts", () => {
  test("token requests show up on the app's Usage tab and on the dashboard, as charts with tables", async ({
    page,
    db,
    baseURL,
  }) => {
    test.setTimeout(120_000);
    const name = uniqueName("Metered");
    const client = await registerClient(db, {
      name,
      grantTypes: ["client_credentials"],
      redirectUris: [],
      postLogoutRedirectUris: [],
      algorithm: "none",
    });
    const token = (secret: string) =>
      fetch(`${baseURL}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...basic(client.clientId, secret) },
        body: "grant_type=client_credentials",
      });
    const issued = 30;
    for (let i = 0; i < issued; i++) expect((await token(client.clientSecret!)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await token("pcs_wrong")).status).toBe(401);

    // The Usage tab: counts are written every 5 s, so poll.
    await signInAsAdmin(page, `/admin/applications/${client.id}/usage`);
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("app-issued")).toHaveText(String(issued), { timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    await expect(page.getByRole("link", { name: "Usage" })).toHaveAttribute("aria-current", "page");
    const chart = page.getByTestId("app-issued-chart");
    await expect(
      chart.getByRole("img", {
        name: new RegExp(`^Tokens issued per day to ${name}, .*: ${issued} tokens issued in total`),
      }),
    ).toBeVisible();
    await expect(chart.getByRole("list", { name: "Legend" })).toHaveText(`Client credentials(${issued})`);
    await chart.getByText("Show data as a table").click();
    const table = page.getByTestId("app-issued-chart-table");
    await expect(table.locator("tbody tr")).toHaveCount(30);
    await expect(table.locator(`tr[data-category="${today()}"] td[data-total]`)).toHaveText(String(issued));
    await expect(table.locator("tfoot")).toContainText(String(issued));

    // The dashboard: totals, both charts, and the app among the top applications.
    await page.goto("/admin");
    await expect(page.getByRole("heading", { name: "Dashboard" })).toBeVisible();
    const number = async (testId: string) => Number((await page.getByTestId(testId).textContent())!.replace(/,/g, ""));
    expect(await number("stat-applications")).toBeGreaterThanOrEqual(1);
    expect(await number("stat-active-tokens")).toBeGreaterThanOrEqual(issued);
    expect(await number("stat-issued")).toBeGreaterThanOrEqual(issued);
    await expect(async () => {
      await page.reload();
      expect(await number("stat-failed")).toBeGreaterThanOrEqual(2);
    }).toPass({ timeout: 15_000 });
    await expect(
      page.getByTestId("issued-chart").getByRole("img", { name: /^Tokens issued per day, .* tokens issued in total/ }),
    ).toBeVisible();
    await expect(
      page
        .getByTestId("failed-chart")
        .getByRole("img", { name: /^Failed token requests per day, .* failed requests in total/ }),
    ).toBeVisible();
    await page.getByTestId("issued-chart").getByText("Show data as a table").click();
    const todayTotal = page.getByTestId("issued-chart-table").locator(`tr[data-category="${today()}"] td[data-total]`);
    expect(Number((await todayTotal.textContent())!.replace(/,/g, ""))).toBeGreaterThanOrEqual(issued);
    const top = page.getByTestId("top-applications").getByRole("link", { name, exact: true });
    await expect(top).toBeVisible();
    await top.click();
    await expect(page).toHaveURL(new RegExp(`/admin/applications/${client.id}/usage$`));
  });

  test(
    "the dashboard, audit log, usage and history pages pass axe at 375 wide (usage at 1280 too), without horizontal overflow",
    { tag: "@rendering" },
    async ({ page, db }) => {
      // Five axe scans: each page at 375 px, and the usage page once at 1280 px, where the charts show
      // every date label (a phone shows every other one) and the admin header the admin's email.
      test.setTimeout(120_000);
      const client = await registerClient(db, {
        name: uniqueName("Charted"),
        grantTypes: ["authorization_code", "refresh_token", "client_credentials"],
      });
      // A week of counts for several grant types, so every chart draws stacked bars and a legend.
      const day = (back: number) => new Date(Date.now() - back * 24 * 3600 * 1000).toISOString().slice(0, 10);
      for (let back = 0; back < 7; back++) {
        for (const [grantType, outcome, count] of [
          ["authorization_code", "issued", 3 + back],
          ["refresh_token", "issued", 10 - back],
          ["client_credentials", "issued", 5],
          ["client_credentials", "failed", back % 3],
        ] as const) {
          if (count === 0) continue;
          await db.usageCounter.upsert({
            where: {
              day_applicationId_grantType_outcome_error: {
                day: day(back),
                applicationId: client.id,
                grantType,
                outcome,
                error: outcome === "failed" ? "invalid_client" : "",
              },
            },
            create: {
              day: day(back),
              applicationId: client.id,
              grantType,
              outcome,
              error: outcome === "failed" ? "invalid_client" : "",
              count,
            },
            update: { count: { increment: count } },
          });
        }
      }
      await signInAsAdmin(page, "/admin");
      const visits: [string, number][] = [
        ["/admin", 375],
        ["/admin/audit", 375],
        [`/admin/applications/${client.id}/usage`, 375],
        [`/admin/applications/${client.id}/history`, 375],
        [`/admin/applications/${client.id}/usage`, 1280],
      ];
      for (const [path, width] of visits)
        await expectAccessibleAndFitting(page, path, width, async () => {
          // Open the data tables, so they are checked too.
          for (const summary of await page.getByText("Show data as a table").all()) await summary.click();
          if (path.endsWith("/usage"))
            await expect(page.getByRole("img", { name: /tokens issued in total/ })).toBeVisible();
        });
    },
  );
});
