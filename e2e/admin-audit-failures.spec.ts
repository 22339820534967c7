/**
 * The audit log's date range, its export under the same filters and long entries folded away
 * (issue 14), and the failures drill-down the dashboard's failure counts lead to.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { createApplication } from "../lib/applications/commands.ts";
import { systemActor } from "../lib/audit/record.ts";
import type { Db } from "../lib/db/client.ts";
import { expect, seriousA11yViolations, signInAsAdmin, test, uniqueName, horizontalOverflow } from "./support/fixtures";

/** Signs in as the admin and opens `path` (query included: the sign-in itself returns to its page). */
async function adminAt(page: Page, path: string) {
  const url = new URL(path, "http://x.invalid");
  await signInAsAdmin(page, url.pathname);
  if (url.search) await page.goto(path);
}

/** An action name of this test's own, so that other tests' entries never match its filters. */
const ownAction = () => `e2e.range_${randomBytes(4).toString("hex")}`;

async function entriesAt(db: Db, action: string, times: string[]) {
  await db.auditEvent.createMany({
    data: times.map((time) => ({ action, createdAt: new Date(time), details: JSON.stringify({ note: time }) })),
  });
}

const utcDay = (back: number) => new Date(Date.now() - back * 24 * 3600 * 1000).toISOString().slice(0, 10);

async function newApplication(db: Db, name: string) {
  const created = await createApplication(
    db,
    { name, clientType: "confidential", grantTypes: ["client_credentials"] },
    systemActor,
  );
  if (!created.ok) throw new Error(JSON.stringify(created.errors));
  return created.application;
}

async function failures(db: Db, applicationId: string, rows: [back: number, error: string, count: number][]) {
  await db.usageCounter.createMany({
    data: rows.map(([back, error, count]) => ({
      day: utcDay(back),
      applicationId,
      grantType: "client_credentials",
      outcome: "failed",
      error,
      count,
    })),
  });
}

test.describe("audit log", () => {
  test("filters by a UTC date range, which the export keeps; a backwards range is refused beside the fields", async ({
    page,
    db,
  }) => {
    const action = ownAction();
    await entriesAt(db, action, [
      "2025-03-09T23:59:59.000Z",
      "2025-03-10T00:00:00.000Z",
      "2025-03-11T23:59:00.000Z",
      "2025-03-12T00:00:01.000Z",
    ]);
    await adminAt(page, `/admin/audit?action=${action}`);
    await expect(page.getByTestId("audit-entry")).toHaveCount(4);

    await page.getByLabel("From (UTC)").fill("2025-03-10");
    await page.getByLabel("To (UTC)").fill("2025-03-11");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page).toHaveURL(/from=2025-03-10&to=2025-03-11/);
    await expect(page.getByTestId("audit-entry")).toHaveCount(2);
    await expect(page.getByText("From the start of this day, UTC.")).toBeVisible();

    // The export links carry the same filters, and the files hold the same entries.
    const json = page.getByRole("link", { name: "JSON" });
    await expect(json).toHaveAttribute(
      "href",
      new RegExp(`action=${action.replace(".", "\\.")}&from=2025-03-10&to=2025-03-11&format=json`),
    );
    const exported = (await (await page.request.get((await json.getAttribute("href"))!)).json()) as {
      createdAt: string;
    }[];
    expect(exported.map((entry) => entry.createdAt).sort()).toEqual([
      "2025-03-10T00:00:00.000Z",
      "2025-03-11T23:59:00.000Z",
    ]);
    const csv = await (
      await page.request.get((await page.getByRole("link", { name: "CSV" }).getAttribute("href"))!)
    ).text();
    expect(csv.trim().split("\r\n")).toHaveLength(3);

    await page.getByLabel("From (UTC)").fill("2025-03-12");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByTestId("audit-date-error")).toContainText("The end date is before the start date.");
    await expect(page.getByLabel("To (UTC)")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByTestId("audit-to-error")).toHaveText("The end date is before the start date.");
    await expect(page.getByTestId("audit-entry")).toHaveCount(0);
    const refused = await page.request.get(`/admin/audit/export?from=2025-03-12&to=2025-03-11&format=csv`);
    expect(refused.status()).toBe(400);
    expect(await refused.text()).toContain("The end date is before the start date.");
    await page.goto(`/admin/audit?from=2025-02-30`);
    await expect(page.getByTestId("audit-from-error")).toHaveText("Enter the start as a date (YYYY-MM-DD).");
  });

  test("a long entry is folded into a <details> that opens without JavaScript", async ({
    page,
    db,
    browser,
    baseURL,
  }) => {
    const action = ownAction();
    const details: Record<string, string> = {};
    for (let index = 1; index <= 8; index++) details[`field${index}`] = `value number ${index}`;
    await db.auditEvent.create({ data: { action, details: JSON.stringify(details) } });
    await adminAt(page, `/admin/audit?action=${action}`);
    const entry = page.getByTestId("audit-entry");
    await expect(entry.getByText("value number 4")).toBeVisible();
    await expect(entry.getByText("value number 5")).toBeHidden();
    await entry.getByText("Show 4 more details").click();
    await expect(entry.getByText("value number 8")).toBeVisible();
    await expect(entry.getByText("Hide details")).toBeVisible();

    const context = await browser.newContext({
      baseURL,
      javaScriptEnabled: false,
      storageState: await page.context().storageState(),
    });
    const plain = await context.newPage();
    await plain.goto(`/admin/audit?action=${action}`);
    await expect(plain.getByText("value number 5")).toBeHidden();
    await plain.getByText("Show 4 more details").click();
    await expect(plain.getByText("value number 5")).toBeVisible();
    await context.close();
  });
});

test.describe("failed token requests", () => {
  test("the dashboard's failure counts lead to failures by error code and application, over a chosen period", async ({
    page,
    db,
  }) => {
    const name = uniqueName("Failing");
    const app = await newApplication(db, name);
    await failures(db, app.id, [
      [0, "invalid_client", 4],
      [2, "invalid_grant", 3],
      [20, "invalid_client", 5],
      [60, "invalid_scope", 2],
    ]);
    await signInAsAdmin(page, "/admin");
    await page.getByTestId("stat-failed").getByRole("link").click();
    await expect(page).toHaveURL(/\/admin\/failures\?days=30$/);
    await expect(page.getByRole("heading", { name: "Failed token requests" })).toBeVisible();
    const row = page.getByTestId("failures-app-row").filter({ hasText: name });
    await expect(row).toContainText("12");
    await expect(page.getByTestId("failures-by-error")).toContainText("invalid_client");

    // Only this application, then a shorter and a longer period.
    await row.getByRole("link", { name: /Only this application/ }).click();
    await expect(page.getByTestId("failures-app-filter")).toContainText(name);
    const byError = page.getByTestId("failures-by-error");
    await expect(byError.getByRole("row", { name: /invalid_client/ })).toContainText("9");
    await expect(byError.getByRole("row", { name: /invalid_grant/ })).toContainText("3");
    await expect(byError.getByRole("row", { name: /invalid_scope/ })).toHaveCount(0);
    await page.getByLabel("Period", { exact: true }).selectOption("90");
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(new RegExp(`days=90&app=${app.id}`));
    await expect(byError.getByRole("row", { name: /invalid_scope/ })).toContainText("2");
    await page.getByLabel("Period", { exact: true }).selectOption("1");
    await page.getByRole("button", { name: "Show" }).click();
    await expect(byError.getByRole("row", { name: /invalid_client/ })).toContainText("4");
    await expect(byError.getByRole("row", { name: /invalid_grant/ })).toHaveCount(0);

    // The application's row leads to its usage.
    await page.getByTestId("failures-by-app").getByRole("link", { name }).click();
    await expect(page).toHaveURL(new RegExp(`/admin/applications/${app.id}/usage$`));
  });

  test("the top applications' failed counts link to that application's failures; no failures is an empty state", async ({
    page,
    db,
  }) => {
    const quiet = await newApplication(db, uniqueName("Quiet"));
    await adminAt(page, `/admin/failures?days=1&app=${quiet.id}`);
    await expect(page.getByRole("heading", { name: "No failed token requests" })).toBeVisible();
    await page.getByRole("link", { name: "Look at the last 90 days" }).click();
    await expect(page).toHaveURL(new RegExp(`days=90&app=${quiet.id}`));
    await expect(page.getByRole("heading", { name: "No failed token requests" })).toBeVisible();

    await page.goto("/admin");
    await page.getByTestId("failures-link").click();
    await expect(page).toHaveURL(/\/admin\/failures\?days=30$/);
    // Malformed parameters read as the defaults.
    const answer = await page.goto("/admin/failures?days=7x&app=a%20b&days=1");
    expect(answer?.status()).toBe(200);
    await expect(page.locator("h1")).toHaveText("Failed token requests");
  });

  test(
    "the failures page and the filtered audit log are axe-clean and fit a 390 px phone",
    { tag: "@rendering" },
    async ({ page, db }) => {
      // Seven axe scans, all at 390 px. Wider, these pages only add the admin header's email and, on
      // /admin, the charts' in-between date labels: admin-applications and operations scan those at 1280 px.
      test.setTimeout(120_000);
      const app = await newApplication(db, uniqueName("A Rather Long Failing Application Name For Phones"));
      await failures(db, app.id, [[0, "unsupported_grant_type", 3]]);
      const action = ownAction();
      const details: Record<string, string> = {};
      for (let index = 1; index <= 8; index++) details[`field${index}`] = `value ${"x".repeat(index * 20)}`;
      await db.auditEvent.create({ data: { action, details: JSON.stringify(details) } });
      await signInAsAdmin(page, "/admin/failures");
      await page.setViewportSize({ width: 390, height: 800 });
      for (const path of [
        "/admin/failures",
        `/admin/failures?days=1&app=${app.id}`,
        `/admin/failures?days=1&app=nothing-here`,
        `/admin/audit?action=${action}`,
        `/admin/audit?from=2025-03-12&to=2025-03-11`,
        "/admin",
      ]) {
        await page.goto(path);
        await expect(page.locator("h1")).toBeVisible();
        expect({ path, violations: await seriousA11yViolations(page) }).toEqual({ path, violations: [] });
        expect({ path, overflow: await horizontalOverflow(page) }).toEqual({ path, overflow: 0 });
      }
      await page.goto(`/admin/audit?action=${action}`);
      await page.getByText(/Show \d+ more details/).click();
      expect(await seriousA11yViolations(page)).toEqual([]);
    },
  );
});
