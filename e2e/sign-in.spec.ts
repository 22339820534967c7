/**
 * The sign-in page: it only ever returns the user to a path on this server, and it works as a
 * plain POST form, with the password never in a URL, whether or not JavaScript runs.
 */
import type { BrowserContext, Page } from "@playwright/test";
import { admin, expect, signIn, test } from "./support/fixtures";

// Each resolves to "//evil.example/x" once its dot segments are removed.
const escapes = ["/.//evil.example/x", "/../..//evil.example/x", "/a/..//evil.example/x", "/%2e//evil.example/x"];
const mismatch = "That email and password don't match an account.";

/** Answers for the other host, so that a redirect there lands somewhere the test can see. */
async function catchEvilHost(context: BrowserContext): Promise<void> {
  await context.route(/^https?:\/\/evil\.example\//, (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<p>evil</p>" }),
  );
}

function loginUrl(callbackUrl: string): string {
  return `/login?callbackUrl=${encodeURIComponent(callbackUrl)}`;
}

async function expectOnThisServer(page: Page, baseURL: string): Promise<void> {
  await page.waitForLoadState("load");
  expect(new URL(page.url()).origin).toBe(new URL(baseURL).origin);
  await expect(page.getByText("evil")).toHaveCount(0);
}

/** Every URL the page requested or navigated to, to check none carries the password. */
function urlsSeen(page: Page): string[] {
  const urls: string[] = [];
  page.on("request", (request) => urls.push(request.url()));
  page.on("framenavigated", (frame) => urls.push(frame.url()));
  return urls;
}

test.describe("sign-in return path", () => {
  test("a signed-in user sent to /login with a callbackUrl that resolves to //host stays on this server", async ({
    page,
    context,
    baseURL,
  }) => {
    await catchEvilHost(context);
    await page.goto("/login");
    await signIn(page, admin.email, admin.password);
    await page.waitForURL((url) => url.pathname === "/admin");
    for (const escape of escapes) {
      await page.goto(loginUrl(escape));
      await expectOnThisServer(page, baseURL!);
    }
  });

  for (const javaScriptEnabled of [true, false]) {
    test(`right after signing in (JavaScript ${javaScriptEnabled ? "on" : "off"}), such a callbackUrl stays on this server`, async ({
      browser,
      baseURL,
      makeUser,
    }) => {
      const user = await makeUser();
      for (const escape of escapes) {
        const context = await browser.newContext({ baseURL, javaScriptEnabled });
        await catchEvilHost(context);
        const page = await context.newPage();
        await page.goto(loginUrl(escape));
        await signIn(page, user.email, user.password);
        await page.waitForURL((url) => url.pathname === "/account" || url.hostname === "evil.example");
        await expectOnThisServer(page, baseURL!);
        await context.close();
      }
    });
  }
});

test.describe("sign-in without JavaScript", () => {
  test("the form is a POST to next-auth's credentials callback with its CSRF token and the callback", async ({
    page,
  }) => {
    await page.goto(loginUrl("/account/password"));
    const form = page.locator("form", { has: page.getByLabel("Password") });
    await expect(form).toHaveAttribute("method", /^post$/i);
    await expect(form).toHaveAttribute("action", "/api/auth/callback/credentials");
    await expect(form.locator('input[type="hidden"][name="csrfToken"]')).toHaveValue(/^[0-9a-f]{64}$/);
    await expect(form.locator('input[type="hidden"][name="callbackUrl"]')).toHaveValue("/account/password");
  });

  test("a wrong password shows the message, the callback survives it, then the right one signs in and returns there; no URL ever holds the password", async ({
    browser,
    baseURL,
    makeUser,
  }) => {
    const user = await makeUser();
    const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
    const page = await context.newPage();
    const seen = urlsSeen(page);
    const posts: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/auth/callback/credentials")) posts.push(request.method());
    });

    await page.goto(loginUrl("/account/password"));
    await signIn(page, user.email, "not-the-password-123");
    await expect(page.getByTestId("sign-in-error")).toHaveText(mismatch);
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(new URL(page.url()).searchParams.get("error")).toBe("CredentialsSignin");

    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname === "/account/password");
    await expect(page.getByRole("heading", { name: "Change password" })).toBeVisible();

    expect(posts).toEqual(["POST", "POST"]);
    for (const url of seen) {
      expect(url).not.toContain("not-the-password-123");
      expect(url).not.toContain(user.password);
      expect(url).not.toContain("password=");
    }
    await context.close();
  });

  test("an admin signs in with no callback and lands on the dashboard", async ({ browser, baseURL }) => {
    const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("/login");
    await signIn(page, admin.email, admin.password);
    await page.waitForURL((url) => url.pathname === "/admin");
    await context.close();
  });
});

test("with JavaScript, a wrong password shows the same message and the URL holds no password", async ({
  page,
  makeUser,
}) => {
  const user = await makeUser();
  const seen = urlsSeen(page);
  await page.goto(loginUrl("/account"));
  await signIn(page, user.email, "wrong-password-456");
  await expect(page.getByTestId("sign-in-error")).toHaveText(mismatch);
  await signIn(page, user.email, user.password);
  await page.waitForURL((url) => url.pathname === "/account");
  for (const url of seen) expect(url).not.toContain("wrong-password-456");
});
