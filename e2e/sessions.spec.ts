/**
 * Sign-in sessions end on the server: a copy of the session cookie taken before a sign-out (the
 * Sign out button, RP-initiated logout) is refused afterwards by the pages, /api/auth/session and the
 * authorization endpoint; /api/auth/session never extends the cookie; users end their other
 * sessions on /account/sessions and admins end all of a user's; idle timeout and absolute lifetime
 * (on a server of its own with tiny values). Real Chromium, real HTTP.
 */
import type { Browser, BrowserContext, Cookie, Page } from "@playwright/test";
import { admin, expect, signIn, signInAsAdmin, test } from "./support/fixtures";
import { startIsolatedServer } from "./support/isolated-server";
import { client, codeFlowStart, registerClient, relyingParty } from "./support/oauth";

const toast = (page: Page, text: string | RegExp) => page.getByTestId("toast").filter({ hasText: text });
const sessionCookieOf = (cookies: Cookie[]) =>
  cookies.find((cookie) => cookie.name.endsWith("next-auth.session-token"));
const cookieHeader = (cookies: Cookie[]) => cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");

async function signedInContext(browser: Browser, baseURL: string, email: string, password: string) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto("/login");
  await signIn(page, email, password);
  await page.waitForURL((url) => url.pathname === "/account");
  return { context, page };
}

/** What a client holding only `cookies` gets, over plain HTTP: the session endpoint, /account, authorize. */
async function asCookieHolder(baseURL: string, cookies: Cookie[], authorizeUrl: URL) {
  const headers = { cookie: cookieHeader(cookies) };
  const session = await fetch(new URL("/api/auth/session", baseURL), { headers });
  const account = await fetch(new URL("/account", baseURL), { headers, redirect: "manual" });
  const authorization = await fetch(authorizeUrl, { headers, redirect: "manual" });
  const location = new URL(authorization.headers.get("location") ?? "", authorizeUrl);
  return {
    session: (await session.json()) as { user?: { email?: string } },
    sessionSetCookie: session.headers.get("set-cookie"),
    account: { status: account.status, location: account.headers.get("location") },
    authorize: { code: location.searchParams.get("code"), error: location.searchParams.get("error") },
  };
}

/** A browser of its own holding copies of the cookies: is it signed in on /account? */
async function browserWithCopiedCookies(browser: Browser, baseURL: string, cookies: Cookie[]): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  await context.addCookies(cookies);
  return context.newPage();
}

async function expectSignedOut(page: Page) {
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Faccount/);
}

test.describe("signing out ends the session on the server", () => {
  test("a cookie copied before the Sign out button is refused after it: /account, /api/auth/session and authorize", async ({
    page,
    browser,
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const registered = await registerClient(db, { skipAuthorization: true });
    const flow = await codeFlowStart(await relyingParty(baseURL!, registered), { prompt: "none" });

    await page.goto("/login");
    const signedInAt = Date.now();
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname === "/account");
    const copied = await page.context().cookies();
    const cookie = sessionCookieOf(copied)!;
    expect(cookie.httpOnly).toBe(true);
    // The cookie expires with the session's absolute lifetime (12 h by default)…
    expect(cookie.expires * 1000).toBeGreaterThan(signedInAt + 12 * 3600_000 - 60_000);
    expect(cookie.expires * 1000).toBeLessThan(Date.now() + 12 * 3600_000 + 60_000);

    // …and reading the session does not re-issue it with a later one.
    const before = await asCookieHolder(baseURL!, copied, flow.url);
    expect(before.session.user?.email).toBe(user.email);
    expect(before.sessionSetCookie).toBeNull();
    expect(before.account.status).toBe(200);
    expect(before.authorize.code).toBeTruthy();
    expect(sessionCookieOf(await page.context().cookies())!.expires).toBe(cookie.expires);

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await expectSignedOut(page);

    const after = await asCookieHolder(baseURL!, copied, flow.url);
    expect(after.session).toEqual({});
    expect(after.account.status).toBe(307);
    expect(after.account.location).toMatch(/^\/login\?callbackUrl=%2Faccount/);
    expect(after.authorize).toEqual({ code: null, error: "login_required" });
    const elsewhere = await browserWithCopiedCookies(browser, baseURL!, copied);
    await expectSignedOut(elsewhere);
    await elsewhere.context().close();

    const audit = await db.auditEvent.findMany({ where: { action: "auth.signed_out", targetUserId: user.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: user.id });
  });

  test("RP-initiated logout (/oauth/logout) ends the session for a copied cookie too", async ({
    page,
    browser,
    baseURL,
    db,
    makeUser,
    clientApp,
  }) => {
    const user = await makeUser();
    const registered = await registerClient(db, {
      skipAuthorization: true,
      postLogoutRedirectUris: [clientApp.redirectUri],
    });
    const config = await relyingParty(baseURL!, registered);
    const flow = await codeFlowStart(config, { prompt: "none" });
    await page.goto("/login");
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname === "/account");
    const copied = await page.context().cookies();
    expect((await asCookieHolder(baseURL!, copied, flow.url)).authorize.code).toBeTruthy();

    await page.goto(
      client.buildEndSessionUrl(config, { post_logout_redirect_uri: clientApp.redirectUri, state: "bye" }).toString(),
    );
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByText("Back at the client")).toBeVisible();

    const after = await asCookieHolder(baseURL!, copied, flow.url);
    expect(after.session).toEqual({});
    expect(after.account.status).toBe(307);
    expect(after.authorize).toEqual({ code: null, error: "login_required" });
    const elsewhere = await browserWithCopiedCookies(browser, baseURL!, copied);
    await expectSignedOut(elsewhere);
    await elsewhere.context().close();
  });

  test("without JavaScript, Sign out is a plain form POST that ends the session", async ({
    browser,
    baseURL,
    makeUser,
  }) => {
    const user = await makeUser();
    const { context: signedIn } = await signedInContext(browser, baseURL!, user.email, user.password);
    const cookies = await signedIn.cookies();
    await signedIn.close();

    const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
    await context.addCookies(cookies);
    const page = await context.newPage();
    await page.goto("/account");
    await expect(page.getByTestId("account-email")).toHaveText(user.email);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    const copy = await browserWithCopiedCookies(browser, baseURL!, cookies);
    await expectSignedOut(copy);
    await copy.context().close();
    await context.close();
  });
});

test.describe("sessions on /account and in the admin dashboard", () => {
  test("a user sees their sessions, ends another one, then all others: those browsers are signed out, this one is not", async ({
    browser,
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const contexts: BrowserContext[] = [];
    const open = async () => {
      const opened = await signedInContext(browser, baseURL!, user.email, user.password);
      contexts.push(opened.context);
      return opened.page;
    };
    const second = await open();
    const third = await open();
    const fourth = await open();
    const page = await open();

    await page.getByRole("navigation", { name: "Account" }).getByRole("link", { name: "Sessions" }).click();
    await expect(page.getByRole("heading", { name: "Sessions", level: 1 })).toBeVisible();
    const rows = page.getByTestId("session");
    await expect(rows).toHaveCount(4);
    const current = rows.filter({ has: page.getByText("This session") });
    await expect(current).toHaveCount(1);
    await expect(current).toContainText("Chrome on Linux");
    await expect(current).toContainText(/127\.0\.0\.1|::1/);
    await expect(current).toContainText("Signed in");
    await expect(current).toContainText("Last active");
    await expect(current.getByRole("button")).toHaveCount(0);

    // End one other session: cancel first, then confirm.
    const secondId = await db.session.findFirstOrThrow({
      where: { userId: user.id },
      orderBy: { createdAt: "asc" },
      select: { id: true },
    });
    const oldest = rows.last();
    await oldest.getByRole("button", { name: /^End session/ }).click();
    const dialog = page.getByRole("dialog", { name: /End the session on/ });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    await expect(rows).toHaveCount(4);
    await oldest.getByRole("button", { name: /^End session/ }).click();
    await dialog.getByRole("button", { name: "End session" }).click();
    await expect(toast(page, "Session ended: that browser is signed out")).toBeVisible();
    await expect(rows).toHaveCount(3);
    expect((await db.session.findUniqueOrThrow({ where: { id: secondId.id } })).revokedAt).not.toBeNull();
    await expectSignedOut(second);
    await third.reload();
    await expect(third.getByTestId("account-email")).toHaveText(user.email);

    await page.getByRole("button", { name: "End all other sessions" }).click();
    await page
      .getByRole("dialog", { name: "End all other sessions?" })
      .getByRole("button", { name: "End other sessions" })
      .click();
    await expect(toast(page, "Ended 2 other sessions: only this browser is signed in")).toBeVisible();
    await expect(rows).toHaveCount(1);
    await expect(page.getByText("No other browser is signed in to your account.")).toBeVisible();
    await expectSignedOut(third);
    await expectSignedOut(fourth);
    await page.reload();
    await expect(page.getByTestId("session")).toHaveCount(1);

    const audit = await db.auditEvent.findMany({
      where: { action: "user.sessions_ended", targetUserId: user.id },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    expect(audit.map((row) => JSON.parse(row.details))).toEqual([
      { email: user.email, which: "one", sessions: 1 },
      { email: user.email, which: "others", sessions: 2 },
    ]);
    for (const context of contexts) await context.close();
  });

  test("without JavaScript, ending another session is a confirmed plain form POST", async ({
    browser,
    baseURL,
    makeUser,
  }) => {
    const user = await makeUser();
    const other = await signedInContext(browser, baseURL!, user.email, user.password);
    const mine = await signedInContext(browser, baseURL!, user.email, user.password);
    const cookies = await mine.context.cookies();
    await mine.context.close();
    const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
    await context.addCookies(cookies);
    const page = await context.newPage();
    await page.goto("/account/sessions");
    await expect(page.getByTestId("session")).toHaveCount(2);
    await page.getByRole("button", { name: "End all other sessions" }).click();
    await page
      .getByRole("dialog", { name: "End all other sessions?" })
      .getByRole("button", { name: "End other sessions" })
      .click();
    await expect(page.getByRole("status").filter({ hasText: "Ended 1 other session" })).toBeVisible();
    await expect(page.getByTestId("session")).toHaveCount(1);
    await expectSignedOut(other.page);
    await other.context.close();
    await context.close();
  });

  test("an admin ends every session of a user from the user's page: their browsers are signed out", async ({
    page,
    browser,
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const first = await signedInContext(browser, baseURL!, user.email, user.password);
    const second = await signedInContext(browser, baseURL!, user.email, user.password);

    await signInAsAdmin(page, `/admin/users/${user.id}`);
    const sessions = page.getByTestId("user-session");
    await expect(sessions).toHaveCount(2);
    await expect(sessions.first()).toContainText("Chrome on Linux");
    await page.getByRole("button", { name: "End all sessions" }).click();
    await page
      .getByRole("dialog", { name: `End every session of ${user.email}?` })
      .getByRole("button", { name: "End all sessions" })
      .click();
    await expect(toast(page, "Ended 2 sessions: signed out everywhere")).toBeVisible();
    await expect(page.getByText("Not signed in anywhere.")).toBeVisible();
    await expectSignedOut(first.page);
    await expectSignedOut(second.page);
    // The admin is still signed in.
    await page.reload();
    await expect(page.getByRole("heading", { name: user.email, level: 1 })).toBeVisible();

    const audit = await db.auditEvent.findMany({ where: { action: "user.sessions_ended", targetUserId: user.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actorEmail).toBe(admin.email);
    expect(JSON.parse(audit[0]!.details)).toEqual({ email: user.email, which: "all", sessions: 2 });
    await first.context.close();
    await second.context.close();
  });
});

test.describe("session lifetimes (a server of its own: idle timeout 4 s, absolute lifetime 12 s)", () => {
  test("an idle session ends after the idle timeout; a busy one at the absolute lifetime, which the cookie never outlives", async ({
    page,
  }, testInfo) => {
    test.setTimeout(240_000);
    const server = await startIsolatedServer(String(testInfo.project.metadata.databaseUrl), {
      PORTCULLIS_SESSION_IDLE_TIMEOUT: "4",
      PORTCULLIS_SESSION_MAX_AGE: "12",
    });
    try {
      const signInThere = async () => {
        await page.context().clearCookies();
        await page.goto(`${server.baseURL}/login`);
        await signIn(page, admin.email, admin.password);
        await page.waitForURL((url) => url.pathname === "/admin");
        return Date.now();
      };
      const signedIn = async () => {
        const response = await page.request.get(`${server.baseURL}/api/auth/session`);
        return Boolean(((await response.json()) as { user?: unknown }).user);
      };

      // Idle: used, then left alone past the timeout.
      await signInThere();
      await page.waitForTimeout(2000);
      expect(await signedIn()).toBe(true);
      await page.waitForTimeout(5000);
      expect(await signedIn()).toBe(false);

      // Busy: used every second and a half, it still ends 12 s after sign-in.
      const start = await signInThere();
      const cookie = sessionCookieOf(await page.context().cookies())!;
      expect(cookie.expires * 1000).toBeLessThanOrEqual(start + 13_000);
      while (Date.now() < start + 9_000) {
        expect(await signedIn()).toBe(true);
        await page.waitForTimeout(1500);
      }
      await page.waitForTimeout(Math.max(0, start + 13_000 - Date.now()));
      // The browser dropped the expired cookie; sent anyway, the server refuses it.
      expect(await signedIn()).toBe(false);
      const response = await fetch(`${server.baseURL}/api/auth/session`, {
        headers: { cookie: `${cookie.name}=${cookie.value}` },
      });
      expect(await response.json()).toEqual({});
    } finally {
      await server.stop();
    }
  });
});
