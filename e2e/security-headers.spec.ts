/**
 * Security headers as Chromium gets them: pages carry a nonce-based Content-Security-Policy that
 * their own scripts and styles satisfy (no violation on any main page), the machine endpoints a
 * policy of their own, and the consent and sign-out forms may still send the user back to a
 * client on another origin (Chromium applies form-action to the redirects after a form POST).
 */
import type { BrowserContext, Page } from "@playwright/test";
import { admin, expect, signIn, test } from "./support/fixtures";
import { startIsolatedServer } from "./support/isolated-server";
import { client, codeFlowStart, registerClient, relyingParty } from "./support/oauth";

function directives(policy: string | undefined): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const part of (policy ?? "").split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

function nonceOf(policy: string | undefined): string | undefined {
  return directives(policy)
    .get("script-src")
    ?.map((source) => /^'nonce-(.+)'$/.exec(source)?.[1])
    .find(Boolean);
}

/** Collects CSP violations (the event and the console's report) from every page of a context. */
async function watchViolations(context: BrowserContext, page: Page): Promise<() => Promise<string[]>> {
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __violations: string[] }).__violations = seen;
    document.addEventListener("securitypolicyviolation", (event) =>
      seen.push(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`,
      ),
    );
  });
  const console: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) console.push(message.text());
  });
  return async () => [
    ...console,
    ...(await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? [])),
  ];
}

/** React marks each DOM node it has hydrated: proof that the page's scripts ran under the policy. */
async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    [...document.querySelectorAll("button, a")].some((node) =>
      Object.keys(node).some((key) => key.startsWith("__reactFiber")),
    ),
  );
}

test.describe("security headers", () => {
  test("a page's policy: a fresh nonce on every response, on every script; no object, no base, no framing; forms post here", async ({
    request,
  }) => {
    const first = await request.get("/login");
    const second = await request.get("/login");
    const policy = first.headers()["content-security-policy"];
    const parsed = directives(policy);
    expect(parsed.get("script-src")).toEqual(expect.arrayContaining(["'strict-dynamic'"]));
    expect(parsed.get("object-src")).toEqual(["'none'"]);
    expect(parsed.get("base-uri")).toEqual(["'none'"]);
    expect(parsed.get("frame-ancestors")).toEqual(["'none'"]);
    expect(parsed.get("form-action")).toEqual(["'self'"]);
    expect(parsed.get("default-src")).toEqual(["'self'"]);
    const nonce = nonceOf(policy);
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22,}={0,2}$/);
    expect(nonceOf(second.headers()["content-security-policy"])).not.toBe(nonce);
    // One policy only: a second, static one would be enforced as well.
    expect(
      first.headersArray().filter((header) => header.name.toLowerCase() === "content-security-policy"),
    ).toHaveLength(1);

    const html = await first.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`);

    // Served over http: no HSTS (browsers ignore it there, and a proxy in front may want it off).
    expect(first.headers()["strict-transport-security"]).toBeUndefined();
    expect(first.headers()["x-frame-options"]).toBe("DENY");
    expect(first.headers()["x-content-type-options"]).toBe("nosniff");
  });

  test("the machine endpoints answer with a policy that allows nothing", async ({ request }) => {
    for (const path of ["/oauth/jwks", "/.well-known/openid-configuration", "/api/health", "/api/auth/csrf"]) {
      const response = await request.get(path);
      expect(response.status(), path).toBe(200);
      expect(response.headers()["content-security-policy"], path).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers()["x-content-type-options"], path).toBe("nosniff");
      expect(response.headers()["x-frame-options"], path).toBe("DENY");
    }
    const token = await request.post("/oauth/token", { form: { grant_type: "client_credentials" } });
    expect(token.status()).toBe(401);
    expect(token.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  test("HSTS on every answer, pages and machine endpoints alike, when the public URL is https", async ({}, testInfo) => {
    test.skip(testInfo.project.name !== "sqlite", "a setting, not storage: once, on a server of its own");
    // TLS ends at a proxy in front; the server itself is reached over http, as here.
    const server = await startIsolatedServer(String(testInfo.project.metadata.databaseUrl), {
      PORTCULLIS_URL: "https://portcullis.example",
    });
    try {
      for (const path of ["/login", "/api/health", "/oauth/jwks", "/.well-known/openid-configuration", "/nowhere"]) {
        const response = await fetch(`${server.baseURL}${path}`, { redirect: "manual" });
        expect(response.headers.get("strict-transport-security"), path).toBe("max-age=63072000");
      }
      const token = await fetch(`${server.baseURL}/oauth/token`, { method: "POST" });
      expect(token.status).toBe(400);
      expect(token.headers.get("strict-transport-security")).toBe("max-age=63072000");
    } finally {
      await server.stop();
    }
  });

  test(
    "no page breaks its policy: sign-in, dashboard, an app, users, audit, account, consent, sign-out",
    { tag: "@rendering" },
    async ({ page, context, baseURL, db, clientApp }) => {
      test.setTimeout(120_000);
      const violations = await watchViolations(context, page);
      const policies: Record<string, string | undefined> = {};
      page.on("response", (response) => {
        if (response.request().isNavigationRequest() && response.url().startsWith(baseURL!)) {
          policies[new URL(response.url()).pathname] = response.headers()["content-security-policy"];
        }
      });
      const registered = await registerClient(db, {
        name: "Policy Printer",
        redirectUris: [clientApp.redirectUri],
        postLogoutRedirectUris: [clientApp.redirectUri],
        logoUri: "https://logos.example.com/printer.png",
      });
      await context.route("https://logos.example.com/**", (route) =>
        route.fulfill({
          status: 200,
          contentType: "image/png",
          body: Buffer.from(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
            "base64",
          ),
        }),
      );

      await page.goto("/login");
      await hydrated(page);
      await signIn(page, admin.email, admin.password);
      await page.waitForURL((url) => url.pathname === "/admin");
      for (const path of [
        "/admin",
        "/admin/applications",
        `/admin/applications/${registered.id}`,
        `/admin/applications/${registered.id}/usage`,
        "/admin/users",
        "/admin/audit",
        "/account",
        "/account/password",
      ]) {
        await page.goto(path);
        await hydrated(page);
        await page.waitForLoadState("networkidle");
        expect(nonceOf(policies[path]), path).toBeTruthy();
        expect(await violations(), path).toEqual([]);
      }
      // The 404 page too: a page prerendered at build time would carry no nonce.
      const missing = await page.goto("/no-such-page");
      expect(missing?.status()).toBe(404);
      await hydrated(page);
      expect(nonceOf(policies["/no-such-page"])).toBeTruthy();
      expect(await violations(), "404").toEqual([]);
      // A client-side navigation too (the router fetches the page's payload, no new document).
      await page.goto("/account");
      await hydrated(page);
      await page.getByRole("link", { name: "Password", exact: true }).click();
      await page.waitForURL((url) => url.pathname === "/account/password");
      expect(await violations()).toEqual([]);

      const config = await relyingParty(baseURL!, registered);
      const flow = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, prompt: "consent" });
      await page.goto(flow.url.toString());
      await expect(page.getByRole("img", { name: "Policy Printer logo" })).toBeVisible();
      await hydrated(page);
      await page.waitForLoadState("networkidle");
      expect(nonceOf(policies["/oauth/authorize"])).toBeTruthy();
      expect(await violations()).toEqual([]);
      await page.getByRole("button", { name: "Allow" }).click();
      await expect(page.getByText("Back at the client")).toBeVisible();

      await page.goto(
        client.buildEndSessionUrl(config, { post_logout_redirect_uri: clientApp.redirectUri, state: "bye" }).toString(),
      );
      await expect(page.getByRole("heading", { name: "Sign out?" })).toBeVisible();
      await hydrated(page);
      expect(await violations()).toEqual([]);
    },
  );

  for (const javaScriptEnabled of [false, true]) {
    test(`sign-in, consent Allow and Deny, and the sign-out form redirect to a client on another origin (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async ({
      browser,
      baseURL,
      db,
      makeUser,
      clientApp,
    }) => {
      const user = await makeUser();
      const context = await browser.newContext({ baseURL, javaScriptEnabled });
      const page = await context.newPage();
      const blocked: string[] = [];
      page.on("console", (message) => {
        if (/Content Security Policy/i.test(message.text())) blocked.push(message.text());
      });
      const registered = await registerClient(db, {
        name: "Elsewhere",
        redirectUris: [clientApp.redirectUri],
        postLogoutRedirectUris: [clientApp.redirectUri],
      });
      const config = await relyingParty(baseURL!, registered);
      expect(new URL(clientApp.redirectUri).origin).not.toBe(new URL(baseURL!).origin);

      // Signing in on the way to a trusted app goes straight on to it: the sign-in form's redirects
      // end at the client too.
      const trusted = await relyingParty(
        baseURL!,
        await registerClient(db, { name: "Trusted", redirectUris: [clientApp.redirectUri], skipAuthorization: true }),
      );
      const direct = await codeFlowStart(trusted, { redirect_uri: clientApp.redirectUri });
      await page.goto(direct.url.toString());
      await expect(page).toHaveURL(/\/login\?/);
      await signIn(page, user.email, user.password);
      await expect(page.getByText("Back at the client")).toBeVisible();
      expect(clientApp.last()!.searchParams.get("state")).toBe(direct.state);

      for (const [decision, expected] of [
        ["Allow", "code"],
        ["Deny", "error"],
      ] as const) {
        const flow = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, prompt: "consent" });
        await page.goto(flow.url.toString());
        await page.getByRole("button", { name: decision }).click();
        await expect(page.getByText("Back at the client"), decision).toBeVisible();
        expect(clientApp.last()!.searchParams.get("state")).toBe(flow.state);
        expect(clientApp.last()!.searchParams.has(expected)).toBe(true);
      }

      // Without redirect_uri (the client registered one): the policy must still allow it.
      const implicit = await codeFlowStart(config, { scope: "profile", prompt: "consent" });
      implicit.url.searchParams.delete("redirect_uri");
      await page.goto(implicit.url.toString());
      await page.getByRole("button", { name: "Allow" }).click();
      await expect(page.getByText("Back at the client")).toBeVisible();
      expect(clientApp.last()!.searchParams.get("state")).toBe(implicit.state);

      await page.goto(
        client
          .buildEndSessionUrl(config, { post_logout_redirect_uri: clientApp.redirectUri, state: "see-you" })
          .toString(),
      );
      await page.getByRole("button", { name: "Sign out" }).click();
      await expect(page.getByText("Back at the client")).toBeVisible();
      expect(clientApp.last()!.searchParams.get("state")).toBe("see-you");
      expect(blocked).toEqual([]);
      await context.close();
    });
  }
});
