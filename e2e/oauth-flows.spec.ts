/**
 * The authorization server driven by a real relying party (openid-client v6): discovery, code +
 * PKCE with nonce and ID token validation, userinfo, refresh rotation and reuse detection, client
 * credentials, revocation and introspection. Runs against the SQLite and the PostgreSQL server.
 */
import { request as httpClient } from "@playwright/test";
import { expect, test } from "./support/fixtures";
import {
  authorize,
  callback,
  client,
  codeFlowStart,
  registerClient,
  relyingParty,
  signedInSession,
} from "./support/oauth";

test.describe("OAuth 2.1 / OpenID Connect flows", () => {
  test("discovery documents describe exactly the supported features", async ({ baseURL, request }) => {
    const oidc = await (await request.get("/.well-known/openid-configuration")).json();
    const rfc8414 = await (await request.get("/.well-known/oauth-authorization-server")).json();
    expect(oidc.issuer).toBe(baseURL);
    expect(rfc8414.issuer).toBe(baseURL);
    expect(oidc.authorization_endpoint).toBe(`${baseURL}/oauth/authorize`);
    expect(oidc.token_endpoint).toBe(`${baseURL}/oauth/token`);
    expect(oidc.userinfo_endpoint).toBe(`${baseURL}/oauth/userinfo`);
    expect(oidc.jwks_uri).toBe(`${baseURL}/oauth/jwks`);
    expect(oidc.revocation_endpoint).toBe(`${baseURL}/oauth/revoke`);
    expect(oidc.introspection_endpoint).toBe(`${baseURL}/oauth/introspect`);
    expect(oidc.end_session_endpoint).toBe(`${baseURL}/oauth/logout`);
    expect(oidc.response_types_supported).toEqual(["code"]);
    expect(oidc.code_challenge_methods_supported).toEqual(["S256"]);
    expect(oidc.grant_types_supported.sort()).toEqual([
      "authorization_code",
      "client_credentials",
      "password",
      "refresh_token",
      "urn:ietf:params:oauth:grant-type:device_code",
    ]);
    expect(oidc.device_authorization_endpoint).toBe(`${baseURL}/oauth/device_authorization`);
    expect(oidc.grant_types_supported).not.toContain("implicit");
    expect(oidc.token_endpoint_auth_methods_supported.sort()).toEqual([
      "client_secret_basic",
      "client_secret_post",
      "none",
    ]);
    // Public clients may revoke their tokens (RFC 7009 §2.1), never introspect (RFC 7662 §2.1):
    // the tests below use each method listed.
    expect(oidc.revocation_endpoint_auth_methods_supported.sort()).toEqual([
      "client_secret_basic",
      "client_secret_post",
      "none",
    ]);
    expect(oidc.introspection_endpoint_auth_methods_supported.sort()).toEqual([
      "client_secret_basic",
      "client_secret_post",
    ]);
    expect(rfc8414.introspection_endpoint_auth_methods_supported).toEqual(
      oidc.introspection_endpoint_auth_methods_supported,
    );
    expect(oidc.id_token_signing_alg_values_supported).toEqual(["RS256"]);
    expect(rfc8414.userinfo_endpoint).toBeUndefined();
    const jwks = await (await request.get("/oauth/jwks")).json();
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
      expect(typeof key.kid).toBe("string");
      expect(key.d).toBeUndefined();
      expect(key.p).toBeUndefined();
    }
  });

  test("authorization code with PKCE and nonce: ID token validated, userinfo, refresh rotation and reuse detection", async ({
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const registered = await registerClient(db, { skipAuthorization: true, allowedOrigins: [] });
    const config = await relyingParty(baseURL!, registered);
    const session = await signedInSession(baseURL!, user.email, user.password);
    const flow = await codeFlowStart(config);

    const returned = await authorize(session, flow.url);
    expect(`${returned.origin}${returned.pathname}`).toBe(callback);
    expect(returned.searchParams.get("iss")).toBe(baseURL);
    expect(returned.searchParams.get("code")).toMatch(/^pcc_/);

    // openid-client checks state, iss, the token response, and the ID token (signature via JWKS,
    // iss, aud, exp, iat, nonce, at_hash).
    const tokens = await client.authorizationCodeGrant(config, returned, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
    expect(tokens.access_token).toMatch(/^pca_[0-9a-z]{8}[A-Za-z0-9_-]{43}$/);
    expect(tokens.refresh_token).toMatch(/^pcr_[0-9a-z]{8}[A-Za-z0-9_-]{43}$/);
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.scope?.split(" ").sort()).toEqual(["email", "openid", "profile"]);
    const claims = tokens.claims()!;
    expect(claims.sub).toBe(user.id);
    expect(claims.aud).toBe(registered.clientId);
    expect(claims.email).toBe(user.email);
    expect(claims.name).toBe("Test User");
    expect(claims.nonce).toBe(flow.nonce);
    expect(typeof claims.auth_time).toBe("number");

    const info = await client.fetchUserInfo(config, tokens.access_token, user.id);
    expect(info).toMatchObject({ sub: user.id, email: user.email, name: "Test User" });

    // Rotation: every refresh returns a new refresh token; the old one is then dead.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.sub).toBe(user.id);
    // Scope may be narrowed, never widened.
    const narrowed = await client.refreshTokenGrant(config, refreshed.refresh_token!, { scope: "openid email" });
    expect(narrowed.scope?.split(" ").sort()).toEqual(["email", "openid"]);
    await expect(
      client.refreshTokenGrant(config, narrowed.refresh_token!, { scope: "openid email write" }),
    ).rejects.toMatchObject({
      error: "invalid_scope",
    });

    // Reuse of a rotated token revokes the whole family, including the newest tokens.
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: "invalid_grant",
    });
    await expect(client.refreshTokenGrant(config, narrowed.refresh_token!)).rejects.toMatchObject({
      error: "invalid_grant",
    });
    expect((await client.tokenIntrospection(config, narrowed.access_token)).active).toBe(false);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    await session.dispose();
  });

  test("a public client uses PKCE and no secret", async ({ baseURL, db, makeUser }) => {
    const user = await makeUser();
    const registered = await registerClient(db, { clientType: "public", skipAuthorization: true });
    expect(registered.clientSecret).toBeUndefined();
    const config = await relyingParty(baseURL!, registered);
    const session = await signedInSession(baseURL!, user.email, user.password);
    const flow = await codeFlowStart(config, { scope: "openid" });
    const tokens = await client.authorizationCodeGrant(config, await authorize(session, flow.url), {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
    });
    expect(tokens.claims()?.sub).toBe(user.id);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeDefined();
    // Revocation with client_id only ("none"), as discovery says; introspection is refused.
    await client.tokenRevocation(config, refreshed.refresh_token!);
    await expect(client.refreshTokenGrant(config, refreshed.refresh_token!)).rejects.toMatchObject({
      error: "invalid_grant",
    });
    await expect(client.fetchUserInfo(config, refreshed.access_token, user.id)).rejects.toThrow();
    // 401 invalid_client, which openid-client reports as the Basic challenge that comes with it.
    await expect(client.tokenIntrospection(config, refreshed.access_token)).rejects.toMatchObject({
      status: 401,
      cause: [{ scheme: "basic" }],
    });
    await session.dispose();
  });

  test("client credentials: a token for the client itself, no refresh token, introspectable by its owner only", async ({
    baseURL,
    db,
  }) => {
    const service = await registerClient(db, {
      grantTypes: ["client_credentials"],
      redirectUris: [],
      algorithm: "none",
    });
    const config = await relyingParty(baseURL!, service);
    const tokens = await client.clientCredentialsGrant(config, { scope: "read write" });
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();
    expect(tokens.expires_in).toBe(3600);
    expect(tokens.scope?.split(" ").sort()).toEqual(["read", "write"]);

    const introspection = await client.tokenIntrospection(config, tokens.access_token);
    expect(introspection).toMatchObject({
      active: true,
      client_id: service.clientId,
      scope: "read write",
      token_type: "Bearer",
      iss: baseURL,
    });
    expect(introspection.sub).toBeUndefined();

    // Another client learns nothing about it...
    const stranger = await relyingParty(
      baseURL!,
      await registerClient(db, { grantTypes: ["client_credentials"], redirectUris: [], algorithm: "none" }),
    );
    expect(await client.tokenIntrospection(stranger, tokens.access_token)).toEqual({ active: false });
    // ...unless an admin allowed it to introspect any token (a resource server).
    const resourceServer = await relyingParty(
      baseURL!,
      await registerClient(db, {
        grantTypes: ["client_credentials"],
        redirectUris: [],
        algorithm: "none",
        introspectAnyToken: true,
      }),
    );
    expect((await client.tokenIntrospection(resourceServer, tokens.access_token)).active).toBe(true);

    // Revocation by the owner ends it; revocation by another client is a silent no-op.
    await client.tokenRevocation(stranger, tokens.access_token);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(true);
    await client.tokenRevocation(config, tokens.access_token);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
  });

  test("revoking a refresh token revokes its access tokens; userinfo then refuses them", async ({
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
    const introspected = await client.tokenIntrospection(config, tokens.refresh_token!, {
      token_type_hint: "refresh_token",
    });
    expect(introspected).toMatchObject({
      active: true,
      token_type: "refresh_token",
      sub: user.id,
      username: user.email,
    });

    await client.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: "refresh_token" });
    expect((await client.tokenIntrospection(config, tokens.refresh_token!)).active).toBe(false);
    expect((await client.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    await expect(client.fetchUserInfo(config, tokens.access_token, user.id)).rejects.toThrow();
    await expect(client.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({
      error: "invalid_grant",
    });
    await session.dispose();
  });

  test("password grant only where an admin enabled it", async ({ baseURL, db, makeUser }) => {
    const user = await makeUser();
    const legacy = await registerClient(db, { grantTypes: ["password", "refresh_token"], redirectUris: [] });
    const tokens = await client.genericGrantRequest(await relyingParty(baseURL!, legacy), "password", {
      username: user.email,
      password: user.password,
      scope: "openid email",
    });
    expect(tokens.refresh_token).toBeDefined();
    expect(tokens.claims()?.sub).toBe(user.id);
    await expect(
      client.genericGrantRequest(await relyingParty(baseURL!, legacy), "password", {
        username: user.email,
        password: "wrong-password",
      }),
    ).rejects.toMatchObject({ error: "invalid_grant" });

    const modern = await registerClient(db);
    await expect(
      client.genericGrantRequest(await relyingParty(baseURL!, modern), "password", {
        username: user.email,
        password: user.password,
      }),
    ).rejects.toMatchObject({ error: "unauthorized_client" });
  });

  test("RP-initiated logout returns only to a registered post-logout URI, with the state", async ({
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

    // Not signed in any more (fresh context): goes straight back to the registered URI.
    const anonymous = await httpClient.newContext({ baseURL });
    const registeredReturn = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: "http://127.0.0.1/signed-out",
      state: "bye",
    });
    const back = await anonymous.get(registeredReturn.pathname + registeredReturn.search, { maxRedirects: 0 });
    expect(back.status()).toBeGreaterThanOrEqual(300);
    expect(back.headers()["location"]).toBe("http://127.0.0.1/signed-out?state=bye");

    const foreign = client.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token!,
      post_logout_redirect_uri: "https://evil.example.com/",
    });
    const stay = await anonymous.get(foreign.pathname + foreign.search, { maxRedirects: 0 });
    expect(stay.status()).toBe(200);
    expect(await stay.text()).toContain("has not registered");
    await anonymous.dispose();
  });
});
