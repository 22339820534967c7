/**
 * The device authorization grant (RFC 8628) end to end: openid-client's device functions as the
 * device, Chromium on /device as the user's phone. The servers poll at a 1 s interval
 * (e2e/support/environments.ts); expiry is reached by moving the code's expiry in the database
 * rather than waiting out its lifetime (expiry itself is covered with a clock in
 * tests/integration/device-flow.test.ts).
 */
import type { Page } from "@playwright/test";
import {
  expect,
  seriousA11yViolations,
  signIn,
  signInAsAdmin,
  test,
  uniqueName,
  type Account,
} from "./support/fixtures";
import { client, registerClient, relyingParty } from "./support/oauth";

const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code";

/** A device client as an admin registers it: public, device code and refresh token. */
async function deviceClient(db: Parameters<typeof registerClient>[0], input: Record<string, unknown> = {}) {
  return registerClient(db, {
    clientType: "public",
    grantTypes: [deviceGrant, "refresh_token"],
    redirectUris: [],
    postLogoutRedirectUris: [],
    ...input,
  });
}

/** One poll of the token endpoint, as a device that ignores its interval would send it. */
async function pollOnce(baseURL: string, clientId: string, deviceCode: string) {
  const response = await fetch(new URL("/oauth/token", baseURL), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: deviceGrant, device_code: deviceCode, client_id: clientId }),
  });
  return { status: response.status, ...((await response.json()) as { error?: string; access_token?: string }) };
}

/** Opens /device (signing in on the way if needed), enters the code and continues. */
async function enterCode(page: Page, code: string, user?: Account): Promise<void> {
  await page.goto("/device");
  if (user) {
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname === "/device");
  }
  await page.getByLabel("Code").fill(code);
  await page.getByRole("button", { name: "Continue" }).click();
}

const result = (page: Page) => page.getByTestId("device-result");
const problem = (page: Page) => page.getByTestId("device-problem");

test.describe("device authorization grant", () => {
  test("approve from verification_uri_complete (signing in on the way): the device gets tokens once, the approval is audited", async ({
    page,
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const registered = await deviceClient(db, { name: "Kitchen TV" });
    const config = await relyingParty(baseURL!, registered);
    const device = await client.initiateDeviceAuthorization(config, { scope: "openid email" });
    expect(device.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(device.verification_uri).toBe(`${baseURL}/device`);
    expect(device.interval).toBe(1);

    await page.goto(device.verification_uri_complete!);
    await signIn(page, user.email, user.password);
    // Back at the same step: the code is filled in, to be checked against the device's.
    await page.waitForURL((url) => url.pathname === "/device");
    await expect(page.getByText("Check that this code is the one your device shows")).toBeVisible();
    await expect(page.getByLabel("Code")).toHaveValue(device.user_code);
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(page.getByTestId("consent-app-name")).toHaveText("Kitchen TV");
    await page.getByRole("button", { name: "Allow" }).click();
    await expect(result(page)).toContainText("You can return to your device");

    const tokens = await client.pollDeviceAuthorizationGrant(config, device);
    expect(tokens.refresh_token).toMatch(/^pcr_/);
    expect(tokens.claims()).toMatchObject({ sub: user.id, email: user.email });
    // Polling after success: the device code is spent.
    expect(await pollOnce(baseURL!, registered.clientId, device.device_code)).toMatchObject({
      status: 400,
      error: "invalid_grant",
    });
    // The refresh token works as for the code flow.
    expect((await client.refreshTokenGrant(config, tokens.refresh_token!)).access_token).toMatch(/^pca_/);
    expect(await db.auditEvent.count({ where: { action: "device.approved", targetUserId: user.id } })).toBe(1);
  });

  test("deny; slow_down; expired; wrong codes are limited with a clear message", async ({
    page,
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const registered = await deviceClient(db, { name: "Thermostat" });
    const config = await relyingParty(baseURL!, registered);

    const denied = await client.initiateDeviceAuthorization(config, {});
    // Typed as people type it: lower case, a space for the dash.
    await enterCode(page, denied.user_code.toLowerCase().replace("-", " "), user);
    await page.getByRole("button", { name: "Deny" }).click();
    await expect(result(page)).toContainText("The device was not given access");
    await expect(client.pollDeviceAuthorizationGrant(config, denied)).rejects.toMatchObject({
      error: "access_denied",
    });
    expect(await db.auditEvent.count({ where: { action: "device.denied", targetUserId: user.id } })).toBe(1);

    // A device polling faster than its interval is told to slow down.
    const hasty = await client.initiateDeviceAuthorization(config, {});
    expect(await pollOnce(baseURL!, registered.clientId, hasty.device_code)).toMatchObject({
      status: 400,
      error: "authorization_pending",
    });
    expect(await pollOnce(baseURL!, registered.clientId, hasty.device_code)).toMatchObject({
      status: 400,
      error: "slow_down",
    });

    // Expired: the device hears expired_token, the user that the code expired.
    await db.deviceCode.updateMany({
      where: { applicationId: registered.id, status: "pending" },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await pollOnce(baseURL!, registered.clientId, hasty.device_code)).toMatchObject({
      status: 400,
      error: "expired_token",
    });
    await enterCode(page, hasty.user_code);
    await expect(problem(page)).toHaveText("That code has expired. Start again on your device to get a new one.");

    // Not a code at all: said so, not counted.
    await enterCode(page, "hello");
    await expect(problem(page)).toContainText("That is not a code from a device");
    // Five wrong codes, then the form refuses for a while, even the right code.
    for (let attempt = 0; attempt < 5; attempt++) {
      await enterCode(page, `BBBB-BBB${"BCDFG"[attempt]}`);
      await expect(problem(page)).toHaveText("That code is not right. Check the code on your device and try again.");
    }
    const fresh = await client.initiateDeviceAuthorization(config, {});
    await enterCode(page, fresh.user_code);
    await expect(problem(page)).toContainText(/Too many wrong codes\. Wait \d+ minutes and try again\./);
  });

  test("a trusted app and a remembered consent skip the consent screen", async ({ page, baseURL, db, makeUser }) => {
    const user = await makeUser();
    const trusted = await relyingParty(
      baseURL!,
      await deviceClient(db, { name: "Company CLI", skipAuthorization: true }),
    );
    const first = await client.initiateDeviceAuthorization(trusted, {});
    await enterCode(page, first.user_code, user);
    await expect(result(page)).toContainText("You can return to your device");
    expect((await client.pollDeviceAuthorizationGrant(trusted, first)).access_token).toMatch(/^pca_/);

    const config = await relyingParty(baseURL!, await deviceClient(db, { name: "Games console" }));
    const asked = await client.initiateDeviceAuthorization(config, { scope: "openid" });
    await enterCode(page, asked.user_code);
    await page.getByRole("button", { name: "Allow" }).click();
    await expect(result(page)).toContainText("You can return to your device");
    // The same app again, for what the user already allowed: no screen.
    const again = await client.initiateDeviceAuthorization(config, { scope: "openid" });
    await enterCode(page, again.user_code);
    await expect(result(page)).toContainText("You can return to your device");
    const [one, two] = await Promise.all([
      client.pollDeviceAuthorizationGrant(config, asked),
      client.pollDeviceAuthorizationGrant(config, again),
    ]);
    expect(one.claims()?.sub).toBe(user.id);
    expect(two.claims()?.sub).toBe(user.id);
  });

  test("registered on the dashboard: the app page lists the device endpoints, and a device gets tokens", async ({
    page,
    baseURL,
  }) => {
    const name = uniqueName("Set-top box");
    await signInAsAdmin(page);
    await page.getByRole("link", { name: "New application" }).click();
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
    await page.getByLabel("Public").check();
    await page.getByRole("checkbox", { name: "Authorization code" }).setChecked(false);
    await page.getByRole("checkbox", { name: "Device code" }).check();
    await expect(page.getByText("the user enters it at /device")).toBeVisible();
    await page.getByRole("checkbox", { name: "Refresh token" }).setChecked(true);
    await page.getByRole("button", { name: "Create application" }).click();
    await expect(page.getByRole("heading", { name: `${name} is ready` })).toBeVisible();
    const clientId = (await page.getByTestId("issued-client-id").textContent())!;

    await page.goto(`/admin/applications?q=${encodeURIComponent(clientId)}`);
    await page.getByRole("link", { name }).click();
    await expect(page.getByRole("heading", { name })).toBeVisible();
    await expect(page.getByText(`${baseURL}/oauth/device_authorization`, { exact: true })).toBeVisible();
    await expect(page.getByText(`${baseURL}/device`, { exact: true })).toBeVisible();

    const config = await relyingParty(baseURL!, { id: "", clientId });
    const device = await client.initiateDeviceAuthorization(config, {});
    await enterCode(page, device.user_code);
    await page.getByRole("button", { name: "Allow" }).click();
    await expect(result(page)).toContainText("You can return to your device");
    expect((await client.pollDeviceAuthorizationGrant(config, device)).refresh_token).toMatch(/^pcr_/);
  });

  test("bad input gets the RFC's errors; CORS for the client's own origins", async ({ baseURL, db }) => {
    const origin = `https://${uniqueName("tv").replace(" ", "-")}.example.com`;
    const registered = await deviceClient(db, { allowedOrigins: [origin] });
    const endpoint = new URL("/oauth/device_authorization", baseURL);
    const send = async (body: string, headers: Record<string, string> = {}) => {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body,
      });
      return {
        status: response.status,
        error: ((await response.json()) as { error: string }).error,
        origin: response.headers.get("access-control-allow-origin"),
      };
    };
    expect(await send("scope=openid")).toMatchObject({ status: 401, error: "invalid_client" });
    expect(await send(`client_id=${registered.clientId}&client_id=x`)).toMatchObject({
      status: 400,
      error: "invalid_request",
    });
    expect(await send(`client_id=${registered.clientId}&scope=no-such-scope`)).toMatchObject({
      status: 400,
      error: "invalid_scope",
    });
    expect(await send("{}", { "content-type": "application/json" })).toMatchObject({
      status: 400,
      error: "invalid_request",
    });
    expect(await pollOnce(baseURL!, registered.clientId, "pcd_nothing")).toMatchObject({
      status: 400,
      error: "invalid_grant",
    });

    const preflight = await fetch(endpoint, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    expect(await send(`client_id=${registered.clientId}`, { origin })).toMatchObject({ status: 200, origin });
    expect(await send(`client_id=${registered.clientId}`, { origin: "https://evil.example.com" })).toMatchObject({
      status: 200,
      origin: null,
    });
  });

  test("/device at phone width: usable and axe-clean", { tag: "@rendering" }, async ({ page, makeUser }) => {
    const user = await makeUser();
    await page.setViewportSize({ width: 390, height: 844 });
    await enterCode(page, "wrong", user);
    await expect(problem(page)).toBeVisible();
    await expect(page.getByLabel("Code")).toHaveAttribute("aria-describedby", "user-code-error");
    expect(await seriousA11yViolations(page)).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(overflow).toBe(false);
  });
});
