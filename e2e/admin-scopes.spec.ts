/**
 * Scopes managed on /admin/scopes, seen through a real authorization flow: the consent screen uses
 * the catalogue's words, marks what the user has not granted the app before, and a deleted scope is
 * refused. Edits are conditional on the version the page showed.
 */
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import {
  expect,
  seriousA11yViolations,
  signIn,
  signInAsAdmin,
  test,
  type Account,
  expectAccessibleAndFitting,
} from "./support/fixtures";
import { codeFlowStart, registerClient, relyingParty } from "./support/oauth";

const scopeName = () => `e2e:${randomBytes(4).toString("hex")}`;

async function createScopeOnPage(page: Page, name: string, description: string): Promise<void> {
  await page.goto("/admin/scopes/new");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Description").fill(description);
  await page.getByRole("button", { name: "Create scope" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: `Created ${name}` })).toBeVisible();
  await expect(page).toHaveURL(/\/admin\/scopes$/);
}

/** A browser of the user's own, signed in, so the admin's page stays signed in as the admin. */
async function userPage(browser: Browser, baseURL: string, user: Account): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto("/login");
  await signIn(page, user.email, user.password);
  await page.waitForURL((url) => url.pathname === "/account");
  return page;
}

test.describe("scopes in the dashboard", () => {
  test("create, edit and delete a scope, and see it on the consent screen of a real flow, marked New until granted", async ({
    page,
    browser,
    baseURL,
    db,
    makeUser,
    clientApp,
  }) => {
    const name = scopeName();
    await signInAsAdmin(page, "/admin/scopes");
    await createScopeOnPage(page, name, "See your e2e orders");
    const row = page.getByTestId("scope-row").filter({ hasText: name });
    await expect(row).toContainText("See your e2e orders");
    const discovery = await (await page.request.get("/.well-known/openid-configuration")).json();
    expect(discovery.scopes_supported).toContain(name);

    const registered = await registerClient(db, { name: "Scoped App" });
    const config = await relyingParty(baseURL!, registered);
    const user = await makeUser();
    const userTab = await userPage(browser, baseURL!, user);
    const flow = async (scope: string, extra: Record<string, string> = {}) => {
      const started = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, scope, ...extra });
      await userTab.goto(started.url.toString());
      return started;
    };
    const scopes = userTab.getByTestId("consent-scopes");

    // A first consent: everything is new, so nothing is marked.
    await flow("openid profile");
    await expect(scopes).toContainText("See your name");
    await expect(userTab.getByTestId("new-scope")).toHaveCount(0);
    await userTab.getByRole("button", { name: "Allow" }).click();
    await expect(userTab.getByText("Back at the client")).toBeVisible();

    // The app now asks for more: only the scope not granted before is marked, with words for screen readers.
    await flow(`openid profile ${name}`);
    const added = scopes.getByRole("listitem").filter({ hasText: "See your e2e orders" });
    await expect(added.getByTestId("new-scope")).toHaveText("New: you have not allowed this before");
    await expect(
      scopes.getByRole("listitem").filter({ hasText: "See your name" }).getByTestId("new-scope"),
    ).toHaveCount(0);
    await expect(userTab.getByTestId("new-scope")).toHaveCount(1);
    await userTab.getByRole("button", { name: "Allow" }).click();
    await expect(userTab.getByText("Back at the client")).toBeVisible();
    expect(clientApp.last()!.searchParams.get("code")).toMatch(/^pcc_/);

    // The admin rewords it: the consent screen says the new words, and nothing is new any more.
    await row.getByRole("link", { name }).click();
    await expect(page.getByRole("heading", { name: `Edit ${name}` })).toBeVisible();
    await expect(page.getByText("Granted by 1 user.")).toBeVisible();
    await page.getByLabel("Description").fill("See and export your e2e orders");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByTestId("toast").filter({ hasText: `Saved ${name}` })).toBeVisible();
    await flow(`openid profile ${name}`, { prompt: "consent" });
    await expect(scopes).toContainText("See and export your e2e orders");
    await expect(userTab.getByTestId("new-scope")).toHaveCount(0);
    const history = await db.auditEvent.findMany({ where: { action: { startsWith: "scope." } } });
    expect(history.some((event) => event.action === "scope.updated" && event.details.includes(name))).toBe(true);

    // Deleted, after a confirmation that says who granted it: the next request for it is refused.
    await page.goto("/admin/scopes");
    await row.getByRole("link", { name }).click();
    await page.getByRole("button", { name: "Delete scope" }).click();
    const dialog = page.getByRole("dialog", { name: `Delete ${name}?` });
    await expect(dialog.getByTestId("delete-scope-grants")).toContainText("1 user has granted it");
    await dialog.getByRole("button", { name: `Delete ${name}` }).click();
    await expect(page.getByTestId("toast").filter({ hasText: `Deleted ${name}` })).toBeVisible();
    await expect(page.getByTestId("scope-row").filter({ hasText: name })).toHaveCount(0);
    await flow(`openid ${name}`);
    await expect(userTab.getByText("Back at the client")).toBeVisible();
    expect(clientApp.last()!.searchParams.get("error")).toBe("invalid_scope");
    expect(await db.auditEvent.count({ where: { action: "scope.deleted", details: { contains: name } } })).toBe(1);
    await userTab.context().close();
  });

  test("a stale edit is refused with what changed, and can then be reloaded or overwritten", async ({ page, db }) => {
    const name = scopeName();
    const scope = await db.scope.create({ data: { name, description: "First words" } });
    await signInAsAdmin(page, `/admin/scopes/${scope.id}`);
    // Another admin (another tab) saves first.
    const other = await page.context().newPage();
    await other.goto(`/admin/scopes/${scope.id}`);
    await other.getByLabel("Default scope").check();
    await other.getByRole("button", { name: "Save changes" }).click();
    await expect(other.getByTestId("toast").filter({ hasText: `Saved ${name}` })).toBeVisible();
    await other.close();

    await page.getByLabel("Description").fill("My words");
    await page.getByRole("button", { name: "Save changes" }).click();
    const conflict = page.getByTestId("edit-conflict");
    await expect(conflict).toContainText("This scope changed after you opened this page");
    await expect(conflict).toContainText("Changed meanwhile: Default scope.");
    await expect(conflict).toBeFocused();
    expect(await db.scope.findUniqueOrThrow({ where: { id: scope.id } })).toMatchObject({
      description: "First words",
      isDefault: true,
    });
    // The form still holds the admin's words; overwriting keeps them, and the other admin's change too
    // only if the form shows it (it shows the box unticked, as this admin saw it).
    await expect(page.getByLabel("Description")).toHaveValue("My words");
    await page.getByRole("button", { name: "Overwrite with my changes" }).first().click();
    await expect(page.getByTestId("toast").filter({ hasText: `Saved ${name}` })).toBeVisible();
    expect(await db.scope.findUniqueOrThrow({ where: { id: scope.id } })).toMatchObject({
      description: "My words",
      isDefault: false,
    });
  });

  test("a scope applications allow cannot be deleted or renamed, and protocol scopes keep their names", async ({
    page,
    db,
  }) => {
    const name = scopeName();
    const scope = await db.scope.create({ data: { name, description: "Used by an app" } });
    await registerClient(db, { name: "Allows It", allowedScopes: [name, "openid"] });
    await signInAsAdmin(page, `/admin/scopes/${scope.id}`);
    await expect(page.getByTestId("scope-applications")).toContainText("Allows It");
    await expect(page.getByTestId("delete-refused-note")).toContainText("first remove it from the allowed scopes");
    await expect(page.getByRole("button", { name: "Delete scope" })).toHaveCount(0);
    await page.getByLabel("Name").fill(`${name}-renamed`);
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.locator("#field-name-error")).toContainText(
      `${name} cannot be renamed: the application Allows It allows it.`,
    );
    await expect(page.getByTestId("form-errors")).toBeFocused();

    const openid = await db.scope.findUniqueOrThrow({ where: { name: "openid" } });
    await page.goto(`/admin/scopes/${openid.id}`);
    await expect(page.getByTestId("scope-name")).toHaveText("openid");
    await expect(page.getByLabel("Name")).toHaveCount(0);
    await expect(page.getByText("Protocol scopes cannot be deleted.")).toBeVisible();
  });

  test("a bad name or an empty description is refused next to its field, without JavaScript too", async ({
    browser,
    baseURL,
  }) => {
    const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
    const page = await context.newPage();
    await signInAsAdmin(page, "/admin/scopes/new");
    await page.getByLabel("Name").fill("two words");
    await page.getByRole("button", { name: "Create scope" }).click();
    await expect(page.locator("#field-name-error")).toContainText("without spaces");
    await expect(page.locator("#field-description-error")).toContainText("Enter a description");
    const name = scopeName();
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("Description").fill("Made without JavaScript");
    await page.getByRole("button", { name: "Create scope" }).click();
    await expect(page.getByTestId("scope-row").filter({ hasText: name })).toBeVisible();
    await context.close();
  });

  test(
    "the scope pages and the consent screen's New mark are accessible and fit a phone",
    { tag: "@rendering" },
    async ({ page, browser, baseURL, db, makeUser, clientApp }) => {
      const name = scopeName();
      const scope = await db.scope.create({
        data: { name, description: "A scope with a fairly long description to wrap" },
      });
      await signInAsAdmin(page, "/admin/scopes");
      // Each page at 390 px, and the list once at 1440 px, where its Allowed by column shows (sm).
      const visits: [string, number][] = [
        ["/admin/scopes", 390],
        ["/admin/scopes/new", 390],
        [`/admin/scopes/${scope.id}`, 390],
        ["/admin/scopes", 1440],
      ];
      for (const [path, width] of visits) await expectAccessibleAndFitting(page, path, width);
      const registered = await registerClient(db, { name: "Rendered App" });
      const config = await relyingParty(baseURL!, registered);
      const user = await makeUser();
      await db.consent.create({
        data: {
          userId: user.id,
          applicationId: registered.id,
          scope: "openid",
          expiresAt: new Date(Date.now() + 3_600_000),
        },
      });
      const userTab = await userPage(browser, baseURL!, user);
      await userTab.setViewportSize({ width: 390, height: 844 });
      const started = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, scope: `openid ${name}` });
      await userTab.goto(started.url.toString());
      await expect(userTab.getByTestId("new-scope")).toHaveCount(1);
      expect(await seriousA11yViolations(userTab)).toEqual([]);
      const overflow = await userTab.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBe(0);
      await userTab.context().close();
    },
  );
});
