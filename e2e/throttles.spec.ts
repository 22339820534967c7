/**
 * The throttles, against the production server: the sign-in page says how long to wait after a
 * few wrong passwords (the same for an email with no account), and client authentication at the
 * token and introspection endpoints answers 429 with Retry-After after too many wrong secrets from
 * one address, while the client's right secret from another address (here ::1 rather than
 * 127.0.0.1) still works.
 */
import { expect, signIn, test } from "./support/fixtures";
import { basic, postForm, registerClient } from "./support/oauth";

/** Defaults of lib/config/settings.ts, which the test servers run with. */
const freeFailures = 5;
const clientAuthLimit = 10;
const clientAuthWindow = 300;

test.describe("throttles", () => {
  test("after a few wrong passwords the sign-in page says to wait, and says the same for an unknown email", async ({
    page,
    makeUser,
  }) => {
    // Twelve Argon2id checks and page round trips: slow on a busy machine.
    test.setTimeout(180_000);
    const user = await makeUser();
    const unknown = `nobody-${Date.now()}@example.com`;
    await page.goto("/login");
    const error = page.getByTestId("sign-in-error");
    /** One attempt on the form, finished: next-auth has answered it. */
    const attempt = (email: string, password: string) =>
      Promise.all([
        page.waitForResponse((response) => response.url().includes("/api/auth/callback/credentials")),
        signIn(page, email, password),
      ]);
    for (const email of [user.email, unknown]) {
      for (let i = 0; i < freeFailures; i++) {
        await attempt(email, `wrong-${i}`);
        await expect(error).toHaveText("That email and password don't match an account.");
      }
      await attempt(email, user.password);
      await expect(error).toHaveText(
        // At most the first wait (30 s), less what a slow machine spent since the last failure.
        /^Too many failed sign-ins for this email from your network\. Wait ([1-9]|[12][0-9]|30) seconds and try again\.$/,
      );
    }
    await expect(page).toHaveURL(/\/login/);
  });

  test("too many wrong client secrets from one address: 429 with Retry-After; the right secret from another address works", async ({
    baseURL,
    db,
  }) => {
    const service = await registerClient(db, { grantTypes: ["client_credentials"], redirectUris: [] });
    const port = new URL(baseURL!).port;
    const v4 = `http://127.0.0.1:${port}`;
    const v6 = `http://[::1]:${port}`;
    const grant = { grant_type: "client_credentials" };
    for (let i = 0; i < clientAuthLimit; i++) {
      const refused = await postForm(v4, "/oauth/token", grant, basic(service.clientId, `pcs_wrong_${i}`));
      expect(refused.status).toBe(401);
    }
    for (const [path, form] of [
      ["/oauth/token", grant],
      ["/oauth/introspect", { token: "anything" }],
    ] as const) {
      const limited = await postForm(v4, path, form, basic(service.clientId, service.clientSecret!));
      expect(limited.status).toBe(429);
      const wait = Number(limited.headers.get("retry-after"));
      expect(wait).toBeGreaterThan(clientAuthWindow - 60);
      expect(wait).toBeLessThanOrEqual(clientAuthWindow);
      expect(limited.body).toEqual({
        error: "invalid_client",
        error_description: `Too many failed client authentications from this address: retry after ${wait} seconds`,
      });
    }
    const served = await postForm(v6, "/oauth/token", grant, basic(service.clientId, service.clientSecret!));
    expect(served.status).toBe(200);
    expect(served.body).toMatchObject({ token_type: "Bearer" });
  });
});
