/**
 * The end user's side of authorization, in the browser: sign-in (also when the client forces one),
 * the consent screen, remembered consent, and signing out at a client's request.
 */
import { expect, seriousA11yViolations, signIn, test } from "./support/fixtures";
import { client, codeFlowStart, registerClient, relyingParty } from "./support/oauth";

test.describe("consent", () => {
  test("sign in, consent screen, Allow: back at the client with a code that exchanges; the next visit skips consent", async ({
    page,
    baseURL,
    db,
    makeUser,
    clientApp,
  }) => {
    const user = await makeUser();
    const registered = await registerClient(db, {
      name: "Photo Printer",
      homepageUri: "https://photos.example.com",
      policyUri: "https://photos.example.com/privacy",
    });
    const config = await relyingParty(baseURL!, registered);
    const flow = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, scope: "openid profile email" });

    await page.goto(flow.url.toString());
    await expect(page).toHaveURL(/\/login\?callbackUrl=/);
    await signIn(page, user.email, user.password);

    await expect(page.getByRole("heading", { name: "Photo Printer wants to access your account" })).toBeVisible();
    await expect(page.getByText(`Signed in as ${user.email}`)).toBeVisible();
    await expect(page.getByRole("link", { name: "Not you? Switch account" })).toBeVisible();
    const scopes = page.getByTestId("consent-scopes");
    await expect(scopes).toContainText("Confirm who you are with your account");
    await expect(scopes).toContainText("See your name");
    await expect(scopes).toContainText("See your email address");
    await expect(page.getByRole("link", { name: "Privacy policy" })).toHaveAttribute(
      "href",
      "https://photos.example.com/privacy",
    );
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole("button", { name: "Allow" }).click();
    await expect(page.getByText("Back at the client")).toBeVisible();
    const returned = clientApp.last()!;
    expect(`${returned.origin}${returned.pathname}`).toBe(clientApp.redirectUri);
    const tokens = await client.authorizationCodeGrant(
      config,
      returned,
      { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
      { redirect_uri: clientApp.redirectUri },
    );
    expect(tokens.claims()?.sub).toBe(user.id);

    // Approval prompt "auto": the same app and scopes go straight back, no screen.
    const again = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, scope: "openid email" });
    await page.goto(again.url.toString());
    await expect(page.getByText("Back at the client")).toBeVisible();
    expect(clientApp.last()!.searchParams.get("code")).toMatch(/^pcc_/);
    expect(clientApp.last()!.searchParams.get("state")).toBe(again.state);

    // A scope not yet approved asks again; approval_prompt=force and prompt=consent always ask.
    for (const extra of [{ scope: "openid write" }, { approval_prompt: "force" }, { prompt: "consent" }] as Record<
      string,
      string
    >[]) {
      const asked = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, ...extra });
      await page.goto(asked.url.toString());
      await expect(page.getByRole("button", { name: "Allow" })).toBeVisible();
    }
  });

  test("Deny returns access_denied with the state", async ({ page, baseURL, db, makeUser, clientApp }) => {
    const user = await makeUser();
    const config = await relyingParty(baseURL!, await registerClient(db, { name: "Nosy App" }));
    const flow = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri });
    await page.goto(flow.url.toString());
    await signIn(page, user.email, user.password);
    await page.getByRole("button", { name: "Deny" }).click();
    await expect(page.getByText("Back at the client")).toBeVisible();
    expect(clientApp.last()!.searchParams.get("error")).toBe("access_denied");
    expect(clientApp.last()!.searchParams.get("state")).toBe(flow.state);
    expect(clientApp.last()!.searchParams.get("code")).toBeNull();
    // Nothing was remembered: the next request asks again.
    await page.goto((await codeFlowStart(config, { redirect_uri: clientApp.redirectUri })).url.toString());
    await expect(page.getByRole("button", { name: "Deny" })).toBeVisible();
  });

  test("a trusted application never shows the consent screen", async ({ page, baseURL, db, makeUser, clientApp }) => {
    const user = await makeUser();
    const config = await relyingParty(
      baseURL!,
      await registerClient(db, { name: "First Party", skipAuthorization: true }),
    );
    for (const extra of [{}, { prompt: "consent" }, { approval_prompt: "force" }] as Record<string, string>[]) {
      const flow = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, ...extra });
      await page.goto(flow.url.toString());
      if (page.url().includes("/login")) await signIn(page, user.email, user.password);
      await expect(page.getByText("Back at the client")).toBeVisible();
      expect(clientApp.last()!.searchParams.get("code")).toMatch(/^pcc_/);
    }
  });

  test("prompt=login asks a signed-in user to sign in again, once; with consent, the screen follows although consent is remembered; max_age does not loop", async ({
    page,
    baseURL,
    db,
    makeUser,
    clientApp,
  }) => {
    const user = await makeUser();
    const config = await relyingParty(baseURL!, await registerClient(db, { name: "Careful Bank" }));
    const exchange = async (flow: Awaited<ReturnType<typeof codeFlowStart>>) =>
      (
        await client.authorizationCodeGrant(
          config,
          clientApp.last()!,
          { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
          { redirect_uri: clientApp.redirectUri },
        )
      ).claims()!;

    const first = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri });
    await page.goto(first.url.toString());
    await signIn(page, user.email, user.password);
    await page.getByRole("button", { name: "Allow" }).click();
    await expect(page.getByText("Back at the client")).toBeVisible();
    const firstSignIn = (await exchange(first)).auth_time!;

    // auth_time has whole seconds: let one pass, so a new sign-in shows in it.
    await page.waitForTimeout(1100);
    const login = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, prompt: "login" });
    await page.goto(login.url.toString());
    await expect(page).toHaveURL(/\/login\?callbackUrl=.*&switch=1$/);
    await expect(page.getByText(`Signed in as ${user.email}`)).toBeVisible();
    await signIn(page, user.email, user.password);
    // Consent is remembered and the sign-in is done: straight back, not to the sign-in page again.
    await expect(page.getByText("Back at the client")).toBeVisible();
    expect((await exchange(login)).auth_time).toBeGreaterThan(firstSignIn);

    const both = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, prompt: "login consent" });
    await page.goto(both.url.toString());
    await expect(page).toHaveURL(/\/login\?/);
    await signIn(page, user.email, user.password);
    await expect(page.getByRole("button", { name: "Allow" })).toBeVisible();
    expect(new URL(page.url()).searchParams.get("prompt")).toBe("consent");
    await page.getByRole("button", { name: "Allow" }).click();
    await expect(page.getByText("Back at the client")).toBeVisible();
    expect(clientApp.last()!.searchParams.get("state")).toBe(both.state);

    // max_age=0 is exceeded a moment after any sign-in: one sign-in, then back at the client.
    const fresh = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, max_age: "0" });
    await page.goto(fresh.url.toString());
    await expect(page).toHaveURL(/\/login\?/);
    await signIn(page, user.email, user.password);
    await expect(page.getByText("Back at the client")).toBeVisible();
    expect(clientApp.last()!.searchParams.get("state")).toBe(fresh.state);
  });

  test("RP-initiated logout of a signed-in user with client_id and no id_token_hint: a confirmation, then back at the registered URI with the state", async ({
    page,
    baseURL,
    db,
    makeUser,
    clientApp,
  }) => {
    const user = await makeUser();
    const registered = await registerClient(db, {
      name: "Leaving App",
      postLogoutRedirectUris: [clientApp.redirectUri],
    });
    await page.goto("/account");
    await signIn(page, user.email, user.password);
    await expect(page.getByTestId("account-email")).toHaveText(user.email);

    const logout = client.buildEndSessionUrl(await relyingParty(baseURL!, registered), {
      post_logout_redirect_uri: clientApp.redirectUri,
      state: "see-you",
    });
    expect(logout.searchParams.get("client_id")).toBe(registered.clientId);
    expect(logout.searchParams.has("id_token_hint")).toBe(false);
    await page.goto(logout.toString());
    await expect(page.getByRole("heading", { name: "Sign out?" })).toBeVisible();
    await expect(page.getByText("Leaving App asked to sign you out.")).toBeVisible();
    await expect(page.getByText("The application asked to return you")).toHaveCount(0);
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByText("Back at the client")).toBeVisible();
    const back = clientApp.last()!;
    expect(`${back.origin}${back.pathname}`).toBe(clientApp.redirectUri);
    expect(back.searchParams.get("state")).toBe("see-you");

    // The session really ended.
    await page.goto("/account");
    await expect(page).toHaveURL(/\/login\?/);
  });

  test("the consent screen cannot be framed", async ({ request }) => {
    const response = await request.get("/oauth/authorize?client_id=x");
    expect(response.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(response.headers()["x-frame-options"]).toBe("DENY");
  });
});
