/**
 * End users and operators, in the browser: a user's connected apps and password, and admins
 * managing users (disable, roles, the last-admin rule, revoking a user's app).
 */
import { randomUUID } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { generateCredential, hashCredential } from "../lib/oauth/secrets.ts";
import {
  admin,
  expect,
  seriousA11yViolations,
  signIn,
  signInAsAdmin,
  test,
  uniqueName,
  expectAccessibleAndFitting,
} from "./support/fixtures";
import { startIsolatedServer } from "./support/isolated-server";
import {
  authorize,
  client,
  codeFlowStart,
  registerClient,
  relyingParty,
  signedInSession,
  type CallbackServer,
} from "./support/oauth";

const toast = (page: Page, text: string | RegExp) => page.getByTestId("toast").filter({ hasText: text });

/** A second browser, signed in as someone else, for "their session stops working" checks. */
async function signedInPage(browser: Browser, baseURL: string, email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto("/login");
  await signIn(page, email, password);
  await page.waitForURL((url) => url.pathname === "/account");
  return page;
}

/** The whole authorization code flow in the browser, consent screen included; returns the tokens. */
async function authorizeInBrowser(
  page: Page,
  config: client.Configuration,
  clientApp: CallbackServer,
  scope = "openid profile email",
) {
  const flow = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, scope });
  await page.goto(flow.url.toString());
  await page.getByRole("button", { name: "Allow" }).click();
  await expect(page.getByText("Back at the client")).toBeVisible();
  return client.authorizationCodeGrant(
    config,
    clientApp.last()!,
    { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
    { redirect_uri: clientApp.redirectUri },
  );
}

test.describe("account: connected apps and password", () => {
  test("a user authorizes an app, sees it under Connected apps in plain words, revokes it: its refresh token and introspection then fail", async ({
    page,
    baseURL,
    db,
    makeUser,
    clientApp,
  }) => {
    const user = await makeUser();
    const name = uniqueName("Photo Printer");
    const registered = await registerClient(db, { name, homepageUri: "https://photos.example.com" });
    const config = await relyingParty(baseURL!, registered);

    await page.goto("/login");
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname === "/account");
    await expect(page.getByRole("heading", { name: "No connected apps" })).toBeVisible();

    const tokens = await authorizeInBrowser(page, config, clientApp);
    expect(tokens.refresh_token).toBeTruthy();
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(true);

    await page.goto("/account");
    const card = page.getByTestId("connected-app").filter({ hasText: name });
    await expect(card).toHaveCount(1);
    await expect(card.getByRole("heading", { name })).toBeVisible();
    // One app, one page: no pager under it.
    await expect(page.getByRole("navigation", { name: "Connected apps pages" })).toHaveCount(0);
    const scopes = card.getByTestId("connected-app-scopes");
    await expect(scopes).toContainText("Confirm who you are with your account");
    await expect(scopes).toContainText("See your name");
    await expect(scopes).toContainText("See your email address");
    await expect(card).toContainText("First authorized");
    await expect(card).toContainText("Last used");
    await expect(card).toContainText("Approval expires");
    // Technical names and token values stay out of sight.
    await expect(scopes).not.toContainText("openid");
    expect(await page.content()).not.toContain(tokens.access_token);

    // Cancel first: nothing happens.
    await card.getByRole("button", { name: `Revoke access for ${name}` }).click();
    const dialog = page.getByRole("dialog", { name: `Revoke access for ${name}?` });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(true);

    await card.getByRole("button", { name: `Revoke access for ${name}` }).click();
    await dialog.getByRole("button", { name: "Revoke access" }).click();
    await expect(toast(page, `${name} no longer has access to your account`)).toBeVisible();
    await expect(page.getByTestId("connected-app").filter({ hasText: name })).toHaveCount(0);
    await expect(page.getByRole("heading", { name: "No connected apps" })).toBeVisible();

    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: "invalid_grant",
    });
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    expect(await db.consent.count({ where: { userId: user.id, applicationId: registered.id } })).toBe(0);
    const audit = await db.auditEvent.findMany({ where: { action: "user.access_revoked", targetUserId: user.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: user.id, applicationId: registered.id });

    // The next authorization asks again.
    const again = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri });
    await page.goto(again.url.toString());
    await expect(page.getByRole("button", { name: "Allow" })).toBeVisible();
  });

  test("a non-admin who signs in lands on their account; the admin dashboard is closed to them", async ({
    page,
    makeUser,
  }) => {
    const user = await makeUser();
    await page.goto("/login");
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname === "/account");
    await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
    await expect(page.getByTestId("account-email")).toHaveText(user.email);
    await expect(page.getByRole("link", { name: "Admin dashboard" })).toHaveCount(0);
    const response = await page.goto("/admin/users");
    expect(response?.status()).toBe(403);

    // Admins see the way back to the dashboard.
    await page.context().clearCookies();
    await signInAsAdmin(page, "/account");
    await page.getByRole("link", { name: "Admin dashboard" }).click();
    await expect(page).toHaveURL(/\/admin/);
  });

  test("an app holding tokens without a consent is called trusted only when it is; two apps of one name get dialogs of their own", async ({
    page,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const name = uniqueName("Twin");
    const trusted = await registerClient(db, { name: uniqueName("Trusted"), skipAuthorization: true });
    const twins = [await registerClient(db, { name }), await registerClient(db, { name })];
    // Tokens without a consent, as the password grant or a consent cleaned up after expiry leaves them.
    for (const app of [trusted, ...twins]) {
      await db.refreshToken.create({
        data: {
          tokenHash: hashCredential(generateCredential("refreshToken")),
          applicationId: app.id,
          userId: user.id,
          scope: "openid",
          familyId: randomUUID(),
          expiresAt: new Date(Date.now() + 86400_000),
        },
      });
    }
    await page.goto("/login");
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname === "/account");

    const cards = page.getByTestId("connected-app");
    await expect(cards).toHaveCount(3);
    const approval = (card: ReturnType<Page["getByTestId"]>) =>
      card.getByText("Approval expires").locator("xpath=following-sibling::dd");
    const trustedName = (await db.application.findUniqueOrThrow({ where: { id: trusted.id } })).name;
    await expect(approval(cards.filter({ hasText: trustedName }))).toHaveText("No approval stored (trusted app)");
    for (const card of await cards.filter({ hasText: name }).all()) {
      await expect(approval(card)).toHaveText("No approval stored");
    }

    // Each confirmation is labelled by its own title, though the titles read the same.
    const labels = await page.locator("dialog").evaluateAll((dialogs) =>
      dialogs.map((dialog) => {
        const id = dialog.getAttribute("aria-labelledby")!;
        return {
          id,
          count: document.querySelectorAll(`[id="${id}"]`).length,
          inside: dialog.contains(document.getElementById(id)),
        };
      }),
    );
    expect(labels).toHaveLength(3);
    expect(new Set(labels.map((label) => label.id)).size).toBe(3);
    expect(labels.every((label) => label.count === 1 && label.inside)).toBe(true);

    // Revoking the second twin takes that one, not the first.
    const second = cards.filter({ hasText: name }).nth(1);
    const secondId = (await second.getAttribute("aria-labelledby"))!.replace("connected-app-", "");
    await second.getByRole("button", { name: `Revoke access for ${name}` }).click();
    await page
      .getByRole("dialog", { name: `Revoke access for ${name}?` })
      .getByRole("button", { name: "Revoke access" })
      .click();
    await expect(toast(page, `${name} no longer has access to your account`)).toBeVisible();
    await expect(cards).toHaveCount(2);
    const revoked = await db.refreshToken.findMany({ where: { userId: user.id, revokedAt: { not: null } } });
    expect(revoked.map((token) => token.applicationId)).toEqual([secondId]);
  });

  test("a user of many apps sees them twenty at a time, on their account and on the admin's page of them", async ({
    page,
    browser,
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const prefix = uniqueName("Paged");
    const total = 23;
    for (let index = 0; index < total; index++) {
      const app = await registerClient(db, { name: `${prefix} ${String(index).padStart(2, "0")}` });
      await db.consent.create({
        data: { userId: user.id, applicationId: app.id, scope: "openid", expiresAt: new Date(Date.now() + 86400_000) },
      });
    }
    await page.goto("/login");
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname === "/account");
    const cards = page.getByTestId("connected-app");
    const pager = page.getByRole("navigation", { name: "Connected apps pages" });
    await expect(cards).toHaveCount(20);
    await expect(cards.first()).toContainText(`${prefix} 00`);
    await expect(pager).toContainText("Showing 1–20 of 23");
    await pager.getByRole("link", { name: "Next" }).click();
    await page.waitForURL((url) => url.searchParams.get("page") === "2");
    await expect(cards).toHaveCount(3);
    await expect(cards.first()).toContainText(`${prefix} 20`);
    await expect(pager).toContainText("Page 2 of 2");

    // Revoking one on the second page keeps the user there, with what is left of it.
    await cards
      .filter({ hasText: `${prefix} 22` })
      .getByRole("button", { name: `Revoke access for ${prefix} 22` })
      .click();
    await page
      .getByRole("dialog", { name: `Revoke access for ${prefix} 22?` })
      .getByRole("button", { name: "Revoke access" })
      .click();
    await expect(toast(page, `${prefix} 22 no longer has access to your account`)).toBeVisible();
    await expect(cards).toHaveCount(2);
    expect(new URL(page.url()).searchParams.get("page")).toBe("2");

    // An admin looking at the user pages the same list.
    const adminContext = await browser.newContext({ baseURL });
    const adminPage = await adminContext.newPage();
    await signInAsAdmin(adminPage, `/admin/users/${user.id}`);
    const adminPager = adminPage.getByRole("navigation", { name: "Connected apps pages" });
    await expect(adminPage.getByTestId("connected-app")).toHaveCount(20);
    await expect(adminPager).toContainText("Showing 1–20 of 22");
    await adminPager.getByRole("link", { name: "Next" }).click();
    await expect(adminPage.getByTestId("connected-app")).toHaveCount(2);
    expect(new URL(adminPage.url()).pathname).toBe(`/admin/users/${user.id}`);
    await adminContext.close();
  });

  test("changing the password: errors beside the fields; success signs out everywhere; only the new password works", async ({
    page,
    browser,
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const elsewhere = await signedInPage(browser, baseURL!, user.email, user.password);

    await page.goto("/login");
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname === "/account");
    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Password" }).click();
    await expect(page.getByRole("heading", { name: "Change password" })).toBeVisible();

    const current = page.getByRole("textbox", { name: "Current password" });
    const next = page.getByRole("textbox", { name: "New password", exact: true });
    const confirm = page.getByRole("textbox", { name: "Confirm new password" });

    await current.fill("not-my-password");
    await next.fill("a-new-password-1");
    await confirm.fill("a-new-password-1");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(page.getByTestId("form-errors")).toBeVisible();
    await expect(current).toHaveAttribute("aria-invalid", "true");
    await expect(current).toHaveAccessibleDescription("That is not your current password");
    await expect(current).toBeFocused();
    // React resets the form once the action's transition ends, which can be just after the error
    // shows: wait for that reset before typing again, or it would wipe what the test types.
    await expect(current).toHaveValue("");

    await current.fill(user.password);
    await next.fill("short");
    await confirm.fill("different");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(next).toHaveAccessibleDescription(/Must be at least 8 characters/);
    await expect(next).toBeFocused();
    await expect(current).toHaveValue("");

    await current.fill(user.password);
    await next.fill("a-new-password-1");
    await confirm.fill("a-new-password-2");
    await page.getByRole("button", { name: "Change password" }).click();
    await expect(confirm).toHaveAccessibleDescription("Doesn't match the new password");
    expect(await db.auditEvent.count({ where: { action: "user.password_changed", targetUserId: user.id } })).toBe(0);
    await expect(current).toHaveValue("");

    await current.fill(user.password);
    await next.fill("a-new-password-1");
    await confirm.fill("a-new-password-1");
    await page.getByRole("button", { name: "Change password" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await expect(toast(page, "Password changed. Sign in with your new password.")).toBeVisible();

    // This browser and the other one are both signed out.
    await page.goto("/account");
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Faccount/);
    await elsewhere.reload();
    await expect(elsewhere).toHaveURL(/\/login/);
    await elsewhere.context().close();

    await signIn(page, user.email, user.password);
    await expect(page.getByTestId("sign-in-error")).toBeVisible();
    await signIn(page, user.email, "a-new-password-1");
    await page.waitForURL((url) => url.pathname === "/account");

    const audit = await db.auditEvent.findMany({ where: { action: "user.password_changed", targetUserId: user.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.details).not.toContain("a-new-password-1");
    expect(audit[0]!.details).not.toContain(user.password);
  });
});

test.describe("admin: users", () => {
  test("an admin disables a user: their session ends, they cannot sign in, their refresh token is rejected; enabling lets them back", async ({
    page,
    browser,
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const registered = await registerClient(db, { skipAuthorization: true });
    const config = await relyingParty(baseURL!, registered);
    const session = await signedInSession(baseURL!, user.email, user.password);
    const flow = await codeFlowStart(config);
    const tokens = await client.authorizationCodeGrant(config, await authorize(session, flow.url), {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
    });
    await session.dispose();
    const theirs = await signedInPage(browser, baseURL!, user.email, user.password);

    await signInAsAdmin(page, "/admin/users");
    const nav = page.getByRole("navigation", { name: "Admin" });
    await expect(nav.getByRole("link", { name: "Users" })).toHaveAttribute("aria-current", "page");
    await expect(nav.locator("[aria-current]")).toHaveCount(1);
    await page.getByLabel("Search").fill(user.email.toUpperCase());
    await page.getByRole("button", { name: "Apply" }).click();
    const row = page.getByTestId("user-row");
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("Active");
    await row.getByRole("link", { name: user.email }).click();
    await expect(page.getByRole("heading", { name: user.email, level: 1 })).toBeVisible();
    // The trusted app holds live tokens, so it is listed even without a consent.
    await expect(page.getByTestId("connected-app")).toHaveCount(1);

    await page.getByRole("button", { name: "Disable account" }).click();
    const dialog = page.getByRole("dialog", { name: `Disable ${user.email}?` });
    await expect(dialog).toContainText("signed out everywhere");
    await dialog.getByRole("button", { name: "Disable account" }).click();
    await expect(toast(page, `${user.email} is disabled`)).toBeVisible();
    await expect(page.getByRole("button", { name: "Enable account" })).toBeVisible();
    await expect(page.getByText("Disabled: cannot sign in")).toBeVisible();

    // Their open session is gone on the next page load; signing in again fails.
    await theirs.reload();
    await expect(theirs).toHaveURL(/\/login/);
    await signIn(theirs, user.email, user.password);
    await expect(theirs.getByTestId("sign-in-error")).toBeVisible();
    // Audited as a failed sign-in on their account, from the browser's address, by nobody signed in.
    const failed = await db.auditEvent.findMany({ where: { action: "auth.sign_in_failed", targetUserId: user.id } });
    expect(failed).toEqual([
      expect.objectContaining({
        actorId: null,
        actorEmail: "anonymous",
        ip: expect.stringMatching(/127\.0\.0\.1|::1/),
      }),
    ]);
    expect(JSON.parse(failed[0]!.details)).toEqual({ email: user.email, accountDisabled: true });
    // Their app is cut off too.
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: "invalid_grant",
    });
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);

    const audit = await db.auditEvent.findMany({ where: { action: "user.disabled", targetUserId: user.id } });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({
      changes: { disabled: { from: false, to: true } },
      revoked: { accessTokens: 1, refreshTokens: 1 },
    });

    await page.getByRole("button", { name: "Enable account" }).click();
    await expect(toast(page, `${user.email} can sign in again`)).toBeVisible();
    await signIn(theirs, user.email, user.password);
    await theirs.waitForURL((url) => url.pathname === "/account");
    await theirs.context().close();
    // Tokens revoked while disabled stay revoked.
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: "invalid_grant",
    });
  });

  test("an admin promotes and demotes a user and revokes one of their apps", async ({ page, db, makeUser }) => {
    const user = await makeUser();
    const name = uniqueName("Notes");
    const registered = await registerClient(db, { name });
    await db.consent.create({
      data: {
        userId: user.id,
        applicationId: registered.id,
        scope: "email openid",
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });

    await signInAsAdmin(page, `/admin/users/${user.id}`);
    await page.getByRole("button", { name: "Make administrator" }).click();
    await page
      .getByRole("dialog", { name: `Make ${user.email} an administrator?` })
      .getByRole("button", { name: "Make administrator" })
      .click();
    await expect(toast(page, `${user.email} is now an administrator`)).toBeVisible();
    await expect(page.getByRole("button", { name: "Remove admin role" })).toBeVisible();
    await page.getByRole("button", { name: "Remove admin role" }).click();
    await page
      .getByRole("dialog", { name: `Remove the admin role from ${user.email}?` })
      .getByRole("button", { name: "Remove admin role" })
      .click();
    await expect(toast(page, `${user.email} is no longer an administrator`)).toBeVisible();
    const roleChanges = await db.auditEvent.findMany({
      where: { action: "user.role_changed", targetUserId: user.id },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    expect(roleChanges.map((row) => JSON.parse(row.details).changes.role)).toEqual([
      { from: "USER", to: "ADMIN" },
      { from: "ADMIN", to: "USER" },
    ]);

    const card = page.getByTestId("connected-app").filter({ hasText: name });
    await expect(card.getByTestId("connected-app-scopes")).toContainText("See your email address");
    await card.getByRole("button", { name: `Revoke access for ${name}` }).click();
    await page
      .getByRole("dialog", { name: `Revoke access for ${name}?` })
      .getByRole("button", { name: "Revoke access" })
      .click();
    await expect(toast(page, `Revoked ${name}'s access`)).toBeVisible();
    await expect(page.getByRole("heading", { name: "No connected apps" })).toBeVisible();
    const revoked = await db.auditEvent.findMany({ where: { action: "user.access_revoked", targetUserId: user.id } });
    expect(revoked).toHaveLength(1);
    expect(revoked[0]!.actorEmail).toBe(admin.email);
    expect(JSON.parse(revoked[0]!.details)).toMatchObject({ applicationId: registered.id, name });
  });

  test("the last admin can neither demote nor disable themselves (on a server of its own, where they are the only admin)", async ({
    page,
  }, testInfo) => {
    // The refusal's data layer runs on both databases in tests/integration/users-admin.test.ts.
    test.skip(testInfo.project.name !== "sqlite", "a page's refusals: once, on a SQLite server of its own");
    test.setTimeout(180_000);
    const server = await startIsolatedServer(String(testInfo.project.metadata.databaseUrl));
    try {
      await page.goto(`${server.baseURL}/admin/users`);
      await signIn(page, admin.email, admin.password);
      await page.waitForURL((url) => url.pathname === "/admin/users");
      await expect(page.getByTestId("user-row")).toHaveCount(1);
      await page.getByRole("link", { name: admin.email }).click();
      await expect(page.getByText("This is you")).toBeVisible();
      await expect(page.getByTestId("last-admin-note")).toContainText("You are the only enabled administrator");

      await page.getByRole("button", { name: "Remove admin role" }).click();
      await page
        .getByRole("dialog", { name: "Remove your own admin role?" })
        .getByRole("button", { name: "Remove admin role" })
        .click();
      await expect(page.getByTestId("user-action-error")).toHaveText(
        /There must always be at least one enabled administrator/,
      );

      await page.getByRole("button", { name: "Disable account" }).click();
      await page
        .getByRole("dialog", { name: "Disable your own account?" })
        .getByRole("button", { name: "Disable account" })
        .click();
      await expect(page.getByTestId("user-action-error")).toHaveText(
        /There must always be at least one enabled administrator/,
      );

      // Nothing changed, and the admin is still signed in.
      await page.reload();
      await expect(page.getByRole("heading", { name: admin.email, level: 1 })).toBeVisible();
      await expect(page.getByText("Disabled: cannot sign in")).toHaveCount(0);
      await expect(page.getByRole("button", { name: "Remove admin role" })).toBeVisible();

      // A second admin (made with the form, whose errors show beside the fields) lets the first step down.
      await page.goto(`${server.baseURL}/admin/users/new`);
      await page.getByRole("button", { name: "Create user" }).click();
      await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
      await expect(page.getByLabel("Email")).toHaveAccessibleDescription("Enter a valid email address");
      await expect(page.getByLabel("Password")).toHaveAccessibleDescription(/Must be at least 8 characters/);
      await page.getByLabel("Email").fill("second.admin@example.com");
      await page.getByLabel("Name").fill("Second Admin");
      await page.getByLabel("Password").fill("second-admin-password");
      await page.getByLabel("Administrator").check();
      await page.getByRole("button", { name: "Create user" }).click();
      await expect(page.getByRole("heading", { name: "second.admin@example.com", level: 1 })).toBeVisible();
      await expect(toast(page, "Created administrator second.admin@example.com")).toBeVisible();

      await page.goto(`${server.baseURL}/admin/users?q=${encodeURIComponent(admin.email)}`);
      await page.getByRole("link", { name: admin.email, exact: true }).click();
      await expect(page.getByTestId("last-admin-note")).toHaveCount(0);
      await page.getByRole("button", { name: "Remove admin role" }).click();
      await page
        .getByRole("dialog", { name: "Remove your own admin role?" })
        .getByRole("button", { name: "Remove admin role" })
        .click();
      await page.waitForURL((url) => url.pathname === "/account");
      await expect(toast(page, "You are no longer an administrator")).toBeVisible();
      await expect(page.getByRole("link", { name: "Admin dashboard" })).toHaveCount(0);
    } finally {
      await server.stop();
    }
  });

  test(
    "account and user pages have no serious accessibility violations and no sideways scrolling at 375 px; the user list at 1280 px too",
    { tag: "@rendering" },
    async ({ page, browser, baseURL, db, makeUser }) => {
      // Nine axe scans: each page and an open confirmation at 375 px, and the user list once at 1280 px,
      // where its Last sign-in and Created columns (md, lg) and the admin header's email (sm) show.
      test.setTimeout(120_000);
      const user = await makeUser();
      const registered = await registerClient(db, {
        name: uniqueName("A Rather Long Application Name For Narrow Screens"),
      });
      await db.consent.create({
        data: {
          userId: user.id,
          applicationId: registered.id,
          scope: "email offline_access openid profile read",
          expiresAt: new Date(Date.now() + 86_400_000),
        },
      });
      const theirs = await signedInPage(browser, baseURL!, user.email, user.password);
      await signInAsAdmin(page, "/admin/users");

      const checks: [Page, string, number][] = [
        [theirs, "/account", 375],
        [theirs, "/account/password", 375],
        [theirs, "/account/sessions", 375],
        [page, "/admin/users", 375],
        [page, `/admin/users?q=${encodeURIComponent("no-such-user-anywhere")}`, 375],
        [page, "/admin/users/new", 375],
        [page, `/admin/users/${user.id}`, 375],
        [page, "/admin/users", 1280],
      ];
      for (const [tab, path, width] of checks)
        await expectAccessibleAndFitting(tab, path, width, () => expect(tab.locator("h1")).toBeVisible());
      // An open confirmation, too, at 375 px.
      await page.setViewportSize({ width: 375, height: 800 });
      await page.goto(`/admin/users/${user.id}`);
      await page.getByRole("button", { name: "Disable account" }).click();
      await expect(page.getByRole("dialog")).toBeVisible();
      expect({ dialog: true, violations: await seriousA11yViolations(page) }).toEqual({
        dialog: true,
        violations: [],
      });
      await page.keyboard.press("Escape");
      await theirs.context().close();
    },
  );
});
