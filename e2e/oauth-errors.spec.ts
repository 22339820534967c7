/**
 * Every error the authorization server promises, with the exact RFC error code, and bad input of
 * every shape: never a 500, never a redirect to an unverified address.
 */
import { expect, test, uniqueName } from "./support/fixtures";
import {
  authorize,
  basic,
  callback,
  client,
  codeFlowStart,
  postForm,
  registerClient,
  relyingParty,
  signedInSession,
} from "./support/oauth";

test.describe("authorization endpoint errors", () => {
  test("unknown client or unregistered redirect_uri: an error page, never a redirect", async ({
    baseURL,
    db,
    makeUser,
    request,
  }) => {
    const user = await makeUser();
    const registered = await registerClient(db, { skipAuthorization: true });
    const session = await signedInSession(baseURL!, user.email, user.password);
    const cases = [
      `/oauth/authorize?response_type=code&client_id=nope&redirect_uri=${encodeURIComponent(callback)}`,
      `/oauth/authorize?response_type=code&client_id=${registered.clientId}&redirect_uri=${encodeURIComponent("https://evil.example.com/cb")}`,
      `/oauth/authorize?response_type=code&client_id=${registered.clientId}&redirect_uri=${encodeURIComponent(`${callback}/extra`)}`,
      `/oauth/authorize?response_type=code&client_id=${registered.clientId}&client_id=${registered.clientId}`,
      `/oauth/authorize?response_type=code`,
    ];
    for (const path of cases) {
      for (const agent of [session, request]) {
        const response = await agent.get(path, { maxRedirects: 0 });
        expect({ path, status: response.status(), location: response.headers()["location"] }).toEqual({
          path,
          status: 200,
          location: undefined,
        });
        expect(await response.text()).toContain("This sign-in request can&#x27;t continue");
      }
    }
    await session.dispose();
  });

  test("errors after the client is known go back to it with the RFC code and the state", async ({
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const trusted = await registerClient(db, { skipAuthorization: true, allowedScopes: ["openid", "email"] });
    const session = await signedInSession(baseURL!, user.email, user.password);
    const config = await relyingParty(baseURL!, trusted);
    const challenge = await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier());
    const base = { redirect_uri: callback, state: "s-1", code_challenge: challenge, code_challenge_method: "S256" };
    const expectations: [Record<string, string>, string][] = [
      [{ ...base, code_challenge_method: "plain" }, "invalid_request"],
      [{ ...base, code_challenge: "", code_challenge_method: "" }, "invalid_request"],
      [{ ...base, code_challenge: "too-short" }, "invalid_request"],
      [{ ...base, response_type: "token" }, "unsupported_response_type"],
      [{ ...base, scope: "openid nonsense" }, "invalid_scope"],
      [{ ...base, scope: "openid write" }, "invalid_scope"],
      [{ ...base, prompt: "none login" }, "invalid_request"],
      [{ ...base, request: "eyJhbGciOiJub25lIn0.e30." }, "request_not_supported"],
    ];
    for (const [params, error] of expectations) {
      const url = client.buildAuthorizationUrl(config, params);
      for (const [name, value] of Object.entries(params)) if (value === "") url.searchParams.delete(name);
      const back = await authorize(session, url);
      expect({ params, error: back.searchParams.get("error") }).toEqual({ params, error });
      expect(back.searchParams.get("state")).toBe("s-1");
      expect(back.searchParams.get("iss")).toBe(baseURL);
      expect(back.searchParams.get("code")).toBeNull();
      expect(`${back.origin}${back.pathname}`).toBe(callback);
    }

    // A public client must always send a challenge, even one whose "PKCE required" was switched off
    // in the database (the dashboard cannot): public clients cannot keep a code to themselves.
    const spa = await registerClient(db, { clientType: "public", skipAuthorization: true });
    await db.application.update({ where: { id: spa.id }, data: { pkceRequired: false } });
    const noChallenge = await authorize(
      session,
      client.buildAuthorizationUrl(await relyingParty(baseURL!, spa), { redirect_uri: callback, state: "s-2" }),
    );
    expect(Object.fromEntries(noChallenge.searchParams)).toMatchObject({
      error: "invalid_request",
      error_description: "PKCE is required: send code_challenge with code_challenge_method=S256",
      state: "s-2",
      iss: baseURL,
    });
    expect(`${noChallenge.origin}${noChallenge.pathname}`).toBe(callback);

    // A client without the authorization_code grant is refused.
    const machine = await registerClient(db, { grantTypes: ["client_credentials"], redirectUris: [callback] });
    const refused = await authorize(session, client.buildAuthorizationUrl(await relyingParty(baseURL!, machine), base));
    expect(refused.searchParams.get("error")).toBe("unauthorized_client");
    await session.dispose();
  });

  test("prompt=none and max_age: login_required when signed out or signed in too long ago, consent_required without consent", async ({
    baseURL,
    db,
    makeUser,
    request,
  }) => {
    const user = await makeUser();
    const registered = await registerClient(db);
    const config = await relyingParty(baseURL!, registered);
    const flow = await codeFlowStart(config, { prompt: "none" });
    expect((await authorize(request, flow.url)).searchParams.get("error")).toBe("login_required");
    const session = await signedInSession(baseURL!, user.email, user.password);
    expect((await authorize(session, flow.url)).searchParams.get("error")).toBe("consent_required");
    // max_age: a sign-in older than allowed must be repeated (or, with prompt=none, is refused).
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const stale = await codeFlowStart(config, { prompt: "none", max_age: "0" });
    expect((await authorize(session, stale.url)).searchParams.get("error")).toBe("login_required");
    const again = await authorize(session, (await codeFlowStart(config, { max_age: "0" })).url);
    expect(again.pathname).toBe("/login");
    expect(again.searchParams.get("switch")).toBe("1");
    expect(again.searchParams.get("callbackUrl")).not.toContain("max_age");
    await session.dispose();
  });

  test("signed-out users are sent to sign in and brought back to the same request", async ({
    baseURL,
    db,
    request,
  }) => {
    const registered = await registerClient(db);
    const config = await relyingParty(baseURL!, registered);
    const flow = await codeFlowStart(config);
    const location = await authorize(request, flow.url);
    expect(location.pathname).toBe("/login");
    expect(location.searchParams.get("callbackUrl")).toBe(flow.url.pathname + flow.url.search);
    // The sign-in about to happen is the one prompt=login and max_age ask for: one, not two.
    const forced = await authorize(
      request,
      (await codeFlowStart(config, { prompt: "login consent", max_age: "0" })).url,
    );
    const back = new URL(forced.searchParams.get("callbackUrl")!, baseURL);
    expect(back.searchParams.get("prompt")).toBe("consent");
    expect(back.searchParams.has("max_age")).toBe(false);
  });

  test("a loopback redirect URI registered without a port accepts any port (RFC 8252), nothing else varies", async ({
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const registered = await registerClient(db, { skipAuthorization: true });
    const session = await signedInSession(baseURL!, user.email, user.password);
    const config = await relyingParty(baseURL!, registered);
    const flow = await codeFlowStart(config, { redirect_uri: "http://127.0.0.1:51234/callback" });
    const back = await authorize(session, flow.url);
    expect(back.origin).toBe("http://127.0.0.1:51234");
    const tokens = await client.authorizationCodeGrant(
      config,
      back,
      { pkceCodeVerifier: flow.verifier, expectedState: flow.state, expectedNonce: flow.nonce },
      { redirect_uri: "http://127.0.0.1:51234/callback" },
    );
    expect(tokens.access_token).toBeDefined();
    await session.dispose();
  });
});

test.describe("token endpoint errors", () => {
  async function codeFor(
    baseURL: string,
    db: Parameters<typeof registerClient>[0],
    user: { email: string; password: string },
    input = {},
  ) {
    const registered = await registerClient(db, { skipAuthorization: true, ...input });
    const config = await relyingParty(baseURL, registered);
    const session = await signedInSession(baseURL, user.email, user.password);
    const flow = await codeFlowStart(config);
    const back = await authorize(session, flow.url);
    await session.dispose();
    return { registered, config, flow, code: back.searchParams.get("code")! };
  }

  test("a code works once; its second use fails and revokes what the first issued", async ({
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const { registered, config, flow, code } = await codeFor(baseURL!, db, user);
    const exchange = () =>
      postForm(
        baseURL!,
        "/oauth/token",
        { grant_type: "authorization_code", code, redirect_uri: callback, code_verifier: flow.verifier },
        basic(registered.clientId, registered.clientSecret!),
      );
    const first = await exchange();
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const second = await exchange();
    expect(second).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect((await client.tokenIntrospection(config, String(first.body.access_token))).active).toBe(false);
    expect((await client.tokenIntrospection(config, String(first.body.refresh_token))).active).toBe(false);
  });

  test("two concurrent exchanges of the same code: exactly one succeeds", async ({ baseURL, db, makeUser }) => {
    const user = await makeUser();
    for (let round = 0; round < 3; round++) {
      const { registered, flow, code } = await codeFor(baseURL!, db, user);
      const form = { grant_type: "authorization_code", code, redirect_uri: callback, code_verifier: flow.verifier };
      const results = await Promise.all(
        [1, 2, 3, 4].map(() =>
          postForm(baseURL!, "/oauth/token", form, basic(registered.clientId, registered.clientSecret!)),
        ),
      );
      expect(results.map((result) => result.status).sort()).toEqual([200, 400, 400, 400]);
      for (const failed of results.filter((result) => result.status === 400))
        expect(failed.body.error).toBe("invalid_grant");
    }
  });

  test("wrong verifier, missing verifier, wrong redirect_uri, another client's code, expired code: invalid_grant", async ({
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const { registered, flow, code } = await codeFor(baseURL!, db, user);
    const auth = basic(registered.clientId, registered.clientSecret!);
    const good = { grant_type: "authorization_code", code, redirect_uri: callback, code_verifier: flow.verifier };
    const other = await registerClient(db);
    const cases: [Record<string, string>, Record<string, string>][] = [
      [{ ...good, code_verifier: client.randomPKCECodeVerifier() }, auth],
      [{ grant_type: "authorization_code", code, redirect_uri: callback }, auth],
      [{ ...good, redirect_uri: "http://127.0.0.1/other" }, auth],
      [{ ...good, code: "pcc_not-a-real-code" }, auth],
      [good, basic(other.clientId, other.clientSecret!)],
    ];
    for (const [form, headers] of cases) {
      const result = await postForm(baseURL!, "/oauth/token", form, headers);
      expect({ form, status: result.status, error: result.body.error }).toEqual({
        form,
        status: 400,
        error: "invalid_grant",
      });
    }
    // None of those attempts burned the code: the rightful exchange still works...
    expect((await postForm(baseURL!, "/oauth/token", good, auth)).status).toBe(200);

    // ...and an expired code does not.
    const late = await codeFor(baseURL!, db, user);
    await db.authorizationCode.updateMany({
      where: { applicationId: late.registered.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await postForm(
      baseURL!,
      "/oauth/token",
      { grant_type: "authorization_code", code: late.code, redirect_uri: callback, code_verifier: late.flow.verifier },
      basic(late.registered.clientId, late.registered.clientSecret!),
    );
    expect(expired).toMatchObject({
      status: 400,
      body: { error: "invalid_grant", error_description: "The authorization code has expired" },
    });
  });

  test("client authentication failures: 401 invalid_client with WWW-Authenticate", async ({ baseURL, db }) => {
    const service = await registerClient(db, { grantTypes: ["client_credentials"], redirectUris: [] });
    const cases: [Record<string, string>, Record<string, string>][] = [
      [{ grant_type: "client_credentials" }, basic(service.clientId, "pcs_wrong")],
      [{ grant_type: "client_credentials" }, basic("unknown-client", "pcs_wrong")],
      [{ grant_type: "client_credentials", client_id: service.clientId }, {}],
      [{ grant_type: "client_credentials", client_id: service.clientId, client_secret: "nope" }, {}],
      [{ grant_type: "client_credentials" }, {}],
      // Credentials that cannot be read are failed authentication too (RFC 6749 §5.2).
      [{ grant_type: "client_credentials" }, { authorization: "Basic !!!notbase64" }],
      [{ grant_type: "client_credentials" }, { authorization: `Basic ${Buffer.from("no-colon").toString("base64")}` }],
      [
        { grant_type: "client_credentials" },
        { authorization: `Basic ${Buffer.from("%zz:secret").toString("base64")}` },
      ],
      [
        { grant_type: "client_credentials" },
        { authorization: `Basic ${Buffer.from("a%00b:secret").toString("base64")}` },
      ],
    ];
    for (const [form, headers] of cases) {
      const result = await postForm(baseURL!, "/oauth/token", form, headers);
      expect({ form, status: result.status, error: result.body.error }).toEqual({
        form,
        status: 401,
        error: "invalid_client",
      });
      expect({ form, headers, challenge: result.headers.get("www-authenticate") }).toEqual({
        form,
        headers,
        challenge: 'Basic realm="Portcullis"',
      });
    }
    // client_secret_post works as well as basic.
    const post = await postForm(baseURL!, "/oauth/token", {
      grant_type: "client_credentials",
      client_id: service.clientId,
      client_secret: service.clientSecret!,
    });
    expect(post.status).toBe(200);
  });

  test("grant rules: unauthorized_client, unsupported_grant_type, invalid_scope", async ({ baseURL, db }) => {
    const web = await registerClient(db, { grantTypes: ["authorization_code"] });
    const service = await registerClient(db, {
      grantTypes: ["client_credentials"],
      redirectUris: [],
      allowedScopes: ["read"],
      algorithm: "none",
    });
    const expectations: [Record<string, string>, Record<string, string>, number, string][] = [
      [{ grant_type: "client_credentials" }, basic(web.clientId, web.clientSecret!), 400, "unauthorized_client"],
      [
        { grant_type: "refresh_token", refresh_token: "pcr_x" },
        basic(web.clientId, web.clientSecret!),
        400,
        "unauthorized_client",
      ],
      [{ grant_type: "implicit" }, basic(web.clientId, web.clientSecret!), 400, "unsupported_grant_type"],
      [
        { grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: "x" },
        basic(web.clientId, web.clientSecret!),
        400,
        "unauthorized_client",
      ],
      [
        { grant_type: "client_credentials", scope: "write" },
        basic(service.clientId, service.clientSecret!),
        400,
        "invalid_scope",
      ],
      [
        { grant_type: "client_credentials", scope: "no-such-scope" },
        basic(service.clientId, service.clientSecret!),
        400,
        "invalid_scope",
      ],
      [
        { grant_type: "client_credentials", scope: 'bad"scope' },
        basic(service.clientId, service.clientSecret!),
        400,
        "invalid_scope",
      ],
    ];
    for (const [form, headers, status, error] of expectations) {
      const result = await postForm(baseURL!, "/oauth/token", form, headers);
      expect({ form, status: result.status, error: result.body.error }).toEqual({ form, status, error });
    }
  });

  test("malformed requests get 400 invalid_request, never a 500", async ({ baseURL, db }) => {
    const service = await registerClient(db, { grantTypes: ["client_credentials"], redirectUris: [] });
    const auth = basic(service.clientId, service.clientSecret!);
    const send = (body: string | Blob, headers: Record<string, string>) =>
      fetch(new URL("/oauth/token", baseURL), { method: "POST", headers, body }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as { error: string },
      }));
    const cases: [string | Blob, Record<string, string>, number][] = [
      [
        "grant_type=client_credentials&grant_type=client_credentials",
        { ...auth, "content-type": "application/x-www-form-urlencoded" },
        400,
      ],
      ['{"grant_type":"client_credentials"}', { ...auth, "content-type": "application/json" }, 400],
      ["grant_type=client_credentials", { ...auth, "content-type": "text/plain" }, 400],
      ["grant_type=client_credentials", { ...auth }, 400],
      ["", { ...auth, "content-type": "application/x-www-form-urlencoded" }, 400],
      ["%%%=%%%&grant_type", { ...auth, "content-type": "application/x-www-form-urlencoded" }, 400],
      [
        new Blob([new Uint8Array([0x67, 0x72, 0x61, 0xff, 0xfe])]),
        { ...auth, "content-type": "application/x-www-form-urlencoded" },
        400,
      ],
      [
        `grant_type=client_credentials&scope=${"a".repeat(20_000)}`,
        { ...auth, "content-type": "application/x-www-form-urlencoded" },
        413,
      ],
      [
        `grant_type=client_credentials&scope=${"r".repeat(5_000)}`,
        { ...auth, "content-type": "application/x-www-form-urlencoded" },
        400,
      ],
    ];
    for (const [body, headers, status] of cases) {
      const result = await send(body, headers);
      expect({ body: String(body).slice(0, 60), status: result.status, error: result.body.error }).toEqual({
        body: String(body).slice(0, 60),
        status,
        error: "invalid_request",
      });
    }
    const get = await fetch(new URL("/oauth/token", baseURL));
    expect(get.status).toBe(405);
  });

  test("revocation and introspection need client authentication and answer unknown tokens quietly", async ({
    baseURL,
    db,
  }) => {
    const service = await registerClient(db, { grantTypes: ["client_credentials"], redirectUris: [] });
    const auth = basic(service.clientId, service.clientSecret!);
    expect(await postForm(baseURL!, "/oauth/revoke", { token: "pca_unknown" }, auth)).toMatchObject({ status: 200 });
    expect(await postForm(baseURL!, "/oauth/introspect", { token: "pca_unknown" }, auth)).toMatchObject({
      status: 200,
      body: { active: false },
    });
    expect(await postForm(baseURL!, "/oauth/revoke", { token: "x" })).toMatchObject({
      status: 401,
      body: { error: "invalid_client" },
    });
    expect(await postForm(baseURL!, "/oauth/introspect", { token: "x" })).toMatchObject({
      status: 401,
      body: { error: "invalid_client" },
    });
    expect(await postForm(baseURL!, "/oauth/revoke", {}, auth)).toMatchObject({
      status: 400,
      body: { error: "invalid_request" },
    });
    // An unknown hint is ignored (RFC 7009 §2.1).
    expect(await postForm(baseURL!, "/oauth/revoke", { token: "x", token_type_hint: "id_token" }, auth)).toMatchObject({
      status: 200,
    });
    const userinfo = await fetch(new URL("/oauth/userinfo", baseURL), {
      headers: { authorization: "Bearer pca_nope" },
    });
    expect(userinfo.status).toBe(401);
    expect(userinfo.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  test("CORS only for registered origins", async ({ baseURL, db }) => {
    const spa = await registerClient(db, { clientType: "public", allowedOrigins: ["https://spa.example.com"] });
    const preflight = (origin: string) =>
      fetch(new URL("/oauth/token", baseURL), {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      });
    const allowed = await preflight("https://spa.example.com");
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://spa.example.com");
    expect(allowed.headers.get("access-control-allow-methods")).toContain("POST");
    expect((await preflight("https://evil.example.com")).headers.get("access-control-allow-origin")).toBeNull();
    const answer = await postForm(
      baseURL!,
      "/oauth/token",
      { grant_type: "authorization_code", code: "pcc_x", client_id: spa.clientId, code_verifier: "x".repeat(43) },
      { origin: "https://spa.example.com" },
    );
    expect(answer.status).toBe(400);
    expect(answer.headers.get("access-control-allow-origin")).toBe("https://spa.example.com");
    const foreign = await postForm(
      baseURL!,
      "/oauth/token",
      { grant_type: "client_credentials" },
      { origin: "https://evil.example.com" },
    );
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("PKCE switched off for a confidential client: a code without a challenge exchanges; a verifier sent for it is refused", async ({
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const registered = await registerClient(db, { skipAuthorization: true, pkceRequired: false });
    const config = await relyingParty(baseURL!, registered);
    const session = await signedInSession(baseURL!, user.email, user.password);
    const state = client.randomState();
    const nonce = client.randomNonce();
    const back = await authorize(
      session,
      client.buildAuthorizationUrl(config, { redirect_uri: callback, scope: "openid", state, nonce }),
    );
    await session.dispose();
    const code = back.searchParams.get("code")!;
    expect(code).toMatch(/^pcc_/);
    // RFC 9700 §2.1.1: a verifier for a code issued without a challenge is a PKCE downgrade.
    const downgrade = await postForm(
      baseURL!,
      "/oauth/token",
      {
        grant_type: "authorization_code",
        code,
        redirect_uri: callback,
        code_verifier: client.randomPKCECodeVerifier(),
      },
      basic(registered.clientId, registered.clientSecret!),
    );
    expect(downgrade).toMatchObject({
      status: 400,
      body: {
        error: "invalid_grant",
        error_description: "code_verifier sent, but the authorization request had no code_challenge",
      },
    });
    // That refusal did not use the code up: the exchange without PKCE works.
    const tokens = await client.authorizationCodeGrant(config, back, { expectedState: state, expectedNonce: nonce });
    expect(tokens.claims()?.sub).toBe(user.id);
  });

  test("an expired refresh token: invalid_grant", async ({ baseURL, db, makeUser }) => {
    const user = await makeUser();
    const legacy = await registerClient(db, { grantTypes: ["password", "refresh_token"], redirectUris: [] });
    const config = await relyingParty(baseURL!, legacy);
    const tokens = await client.genericGrantRequest(config, "password", {
      username: user.email,
      password: user.password,
      scope: "email",
    });
    await db.refreshToken.updateMany({
      where: { applicationId: legacy.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: "invalid_grant",
      error_description: "The refresh token has expired",
    });
  });

  test("userinfo: no token gets a bare Bearer challenge, a bad token invalid_token, a token without openid 403 insufficient_scope (RFC 6750 §3.1)", async ({
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const legacy = await registerClient(db, { grantTypes: ["password"], redirectUris: [] });
    const config = await relyingParty(baseURL!, legacy);
    const tokenFor = async (scope: string) =>
      (await client.genericGrantRequest(config, "password", { username: user.email, password: user.password, scope }))
        .access_token;
    const userinfo = async (init: RequestInit = {}) => {
      const response = await fetch(new URL("/oauth/userinfo", baseURL), init);
      return {
        status: response.status,
        challenge: response.headers.get("www-authenticate"),
        body: await response.text(),
      };
    };

    // No credentials at all, or only in a scheme the endpoint does not take: no error code.
    const bare = { status: 401, challenge: 'Bearer realm="Portcullis"', body: "" };
    expect(await userinfo()).toEqual(bare);
    expect(
      await userinfo({ headers: { authorization: basic(legacy.clientId, legacy.clientSecret!).authorization! } }),
    ).toEqual(bare);
    expect(
      await userinfo({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" }),
    ).toEqual(bare);

    const invalid = await userinfo({ headers: { authorization: "Bearer pca_nope" } });
    expect(invalid.status).toBe(401);
    expect(invalid.challenge).toMatch(/^Bearer realm="Portcullis", error="invalid_token", error_description="[^"]+"$/);

    const withoutOpenid = await userinfo({ headers: { authorization: `Bearer ${await tokenFor("email")}` } });
    expect(withoutOpenid.status).toBe(403);
    expect(withoutOpenid.challenge).toMatch(/^Bearer realm="Portcullis", error="insufficient_scope"/);
    expect(JSON.parse(withoutOpenid.body)).toMatchObject({ error: "insufficient_scope" });

    const withOpenid = await userinfo({ headers: { authorization: `Bearer ${await tokenFor("openid email")}` } });
    expect(withOpenid.status).toBe(200);
    expect(JSON.parse(withOpenid.body)).toEqual({ sub: user.id, email: user.email });
  });

  test("revocation and introspection: malformed, repeated or oversized parameters get 400 invalid_request, never a 500", async ({
    baseURL,
    db,
  }) => {
    const service = await registerClient(db, { grantTypes: ["client_credentials"], redirectUris: [] });
    const auth = basic(service.clientId, service.clientSecret!);
    const form = "application/x-www-form-urlencoded";
    const cases: [string | Blob, Record<string, string>][] = [
      ["token=a&token=b", { "content-type": form }],
      ["token=a&token=", { "content-type": form }],
      ["token=a&token_type_hint=access_token&token_type_hint=refresh_token", { "content-type": form }],
      [`token=a&client_id=${service.clientId}&client_id=${service.clientId}`, { "content-type": form }],
      [`token=${"t".repeat(5_000)}`, { "content-type": form }],
      ["token", { "content-type": form }],
      ["%%%=%%%&token", { "content-type": form }],
      ["", { "content-type": form }],
      ["token=a%00b", { "content-type": form }],
      [new Blob([new Uint8Array([0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x3d, 0xff, 0xfe])]), { "content-type": form }],
      ['{"token":"a"}', { "content-type": "application/json" }],
      ["token=a", { "content-type": "text/plain" }],
      ["token=a", {}],
    ];
    for (const path of ["/oauth/revoke", "/oauth/introspect"]) {
      for (const [body, headers] of cases) {
        const response = await fetch(new URL(path, baseURL), {
          method: "POST",
          headers: { ...auth, ...headers },
          body,
        });
        const text = await response.text();
        expect({
          path,
          body: String(body).slice(0, 40),
          status: response.status,
          text: JSON.parse(text).error,
        }).toEqual({
          path,
          body: String(body).slice(0, 40),
          status: 400,
          text: "invalid_request",
        });
      }
      const oversized = await fetch(new URL(path, baseURL), {
        method: "POST",
        headers: { ...auth, "content-type": form },
        body: `token=${"a".repeat(20_000)}`,
      });
      expect({ path, status: oversized.status }).toEqual({ path, status: 413 });
    }
  });

  test("CORS on revoke, introspect, userinfo and jwks: the client's own registered origins, preflights included", async ({
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const origin = `https://${uniqueName("app").replace(" ", "-")}.example.com`;
    const otherOrigin = `https://${uniqueName("other").replace(" ", "-")}.example.com`;
    const evil = "https://evil.example.com";
    const app = await registerClient(db, { grantTypes: ["password"], redirectUris: [], allowedOrigins: [origin] });
    await registerClient(db, { grantTypes: ["password"], redirectUris: [], allowedOrigins: [otherOrigin] });
    const config = await relyingParty(baseURL!, app);
    const issue = async () =>
      (
        await client.genericGrantRequest(config, "password", {
          username: user.email,
          password: user.password,
          scope: "openid email",
        })
      ).access_token;
    const allowedOrigin = (response: Response) => response.headers.get("access-control-allow-origin");

    for (const [path, method] of [
      ["/oauth/revoke", "POST"],
      ["/oauth/introspect", "POST"],
      ["/oauth/userinfo", "GET"],
      ["/oauth/jwks", "GET"],
    ] as const) {
      const preflight = (from: string) =>
        fetch(new URL(path, baseURL), {
          method: "OPTIONS",
          headers: {
            origin: from,
            "access-control-request-method": method,
            "access-control-request-headers": "authorization",
          },
        });
      const allowed = await preflight(origin);
      expect({ path, status: allowed.status, origin: allowedOrigin(allowed) }).toEqual({ path, status: 204, origin });
      expect(allowed.headers.get("access-control-allow-methods")).toContain(method);
      expect(allowed.headers.get("access-control-allow-headers")).toContain("Authorization");
      const refused = await preflight(evil);
      expect({
        path,
        origin: allowedOrigin(refused),
        methods: refused.headers.get("access-control-allow-methods"),
      }).toEqual({ path, origin: null, methods: null });
    }

    const auth = basic(app.clientId, app.clientSecret!);
    const post = (path: string, from: string, token: string) =>
      fetch(new URL(path, baseURL), {
        method: "POST",
        headers: { ...auth, origin: from, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token }).toString(),
      });
    const token = await issue();
    // Once the client is known, its own origins decide: another application's origin is refused.
    for (const [from, expected] of [
      [origin, origin],
      [otherOrigin, null],
      [evil, null],
    ] as const) {
      const introspected = await post("/oauth/introspect", from, token);
      expect({ from, status: introspected.status, origin: allowedOrigin(introspected) }).toEqual({
        from,
        status: 200,
        origin: expected,
      });
      expect(introspected.headers.get("vary")).toContain("Origin");
      const info = await fetch(new URL("/oauth/userinfo", baseURL), {
        headers: { authorization: `Bearer ${token}`, origin: from },
      });
      expect({ from, status: info.status, origin: allowedOrigin(info) }).toEqual({
        from,
        status: 200,
        origin: expected,
      });
      const revoked = await post("/oauth/revoke", from, await issue());
      expect({ from, status: revoked.status, origin: allowedOrigin(revoked) }).toEqual({
        from,
        status: 200,
        origin: expected,
      });
    }
    // The key set is public, but readable cross-origin only by an origin some application registered.
    for (const [from, expected] of [
      [origin, origin],
      [otherOrigin, otherOrigin],
      [evil, null],
    ] as const) {
      const jwks = await fetch(new URL("/oauth/jwks", baseURL), { headers: { origin: from } });
      expect({ from, status: jwks.status, origin: allowedOrigin(jwks) }).toEqual({
        from,
        status: 200,
        origin: expected,
      });
    }
    // An error a registered origin's page caused is readable by it, with the challenge exposed.
    const failed = await fetch(new URL("/oauth/userinfo", baseURL), {
      headers: { authorization: "Bearer pca_nope", origin },
    });
    expect(failed.status).toBe(401);
    expect(allowedOrigin(failed)).toBe(origin);
    expect(failed.headers.get("access-control-expose-headers")).toContain("WWW-Authenticate");
  });
});

test.describe("review findings stay fixed", () => {
  test("an authorization request sent as a form POST is handled as the same GET (OIDC Core §3.1.2.1)", async ({
    baseURL,
    db,
  }) => {
    const registered = await registerClient(db);
    const flow = await codeFlowStart(await relyingParty(baseURL!, registered));
    const response = await fetch(new URL("/oauth/authorize", baseURL), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: flow.url.searchParams.toString(),
      redirect: "manual",
    });
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location")!, baseURL);
    expect(location.pathname).toBe("/oauth/authorize");
    expect(Object.fromEntries(location.searchParams)).toEqual(Object.fromEntries(flow.url.searchParams));
  });

  test("an OpenID request without redirect_uri is shown an error, not redirected", async ({ request, db }) => {
    const registered = await registerClient(db);
    const response = await request.get(
      `/oauth/authorize?response_type=code&client_id=${registered.clientId}&scope=openid`,
      { maxRedirects: 0 },
    );
    expect(response.status()).toBe(200);
    expect(await response.text()).toContain("must send redirect_uri");
  });

  test("NUL bytes, malformed Host headers and public-client introspection get RFC errors, never a 500", async ({
    baseURL,
    db,
  }) => {
    const service = await registerClient(db, { grantTypes: ["client_credentials"], redirectUris: [] });
    const nul = await postForm(baseURL!, "/oauth/token", `grant_type=client_credentials&client_id=a%00b`);
    expect(nul).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    const auth = basic(service.clientId, service.clientSecret!);
    expect(await postForm(baseURL!, "/oauth/introspect", `token=x%00y`, auth)).toMatchObject({
      status: 400,
      body: { error: "invalid_request" },
    });

    const spa = await registerClient(db, { clientType: "public" });
    expect(await postForm(baseURL!, "/oauth/introspect", { token: "pca_x", client_id: spa.clientId })).toMatchObject({
      status: 401,
      body: { error: "invalid_client" },
    });

    // A raw request with a Host header no URL parser accepts.
    const { request: raw } = await import("node:http");
    const port = new URL(baseURL!).port;
    const status = await new Promise<number>((resolve, reject) => {
      const req = raw(
        { host: "127.0.0.1", port, path: "/.well-known/openid-configuration", headers: { host: "a b" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBeLessThan(500);
  });
});
