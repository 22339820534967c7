/**
 * Try it's client (lib/try-it) against the real protocol endpoints served over HTTP on a local
 * port, on real SQLite and PostgreSQL: the code flow with PKCE from the authorization request the
 * dashboard builds to the decoded, signature-checked ID token and userinfo; a confidential app with
 * a wrong and then the right pasted secret; client credentials; and the test callback added and
 * removed through the conditional, audited application update.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/applications/commands";
import { findApplication } from "@/lib/applications/queries";
import { systemActor, type Actor } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { prismaOAuthStore } from "@/lib/db/oauth-store";
import { approve, validateAuthorizationRequest } from "@/lib/oauth/authorize";
import type { ProtocolContext } from "@/lib/oauth/context";
import { decodeBody } from "@/lib/oauth/http";
import { ensureSigningKey } from "@/lib/oauth/oidc/keys";
import { protocolRoutes, type Method } from "@/lib/oauth/routes";
import { checkCallback } from "@/lib/try-it/callback";
import { exchangeCode, requestClientCredentials, startAuthorization } from "@/lib/try-it/client";
import type { TryItFlow } from "@/lib/try-it/flow";
import { setTestCallback, testCallbackUrl } from "@/lib/try-it/test-callback";
import { createUser } from "@/lib/users/commands";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";
import { testCipher, testProtocol } from "../support/protocol.ts";

function readAll(incoming: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => resolve(Buffer.concat(chunks)));
    incoming.on("error", reject);
  });
}

describe.each(providers)("Try it on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  let server: Server;
  let ctx: ProtocolContext;
  let admin: { id: string; email: string };
  let actor: Actor;
  /** When set, the JWKS endpoint publishes this instead of the server's keys. */
  let substituteJwks: object | null = null;

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
    await ensureSigningKey(prismaOAuthStore(db), testCipher, new Date());
    // The protocol's endpoints as server.ts dispatches them, on a port of their own.
    server = createServer(async (incoming, outgoing) => {
      const url = new URL(incoming.url ?? "/", "http://127.0.0.1");
      const body = await readAll(incoming);
      if (url.pathname === "/oauth/jwks" && substituteJwks) {
        outgoing.writeHead(200, { "content-type": "application/jwk-set+json" }).end(JSON.stringify(substituteJwks));
        return;
      }
      const handler = protocolRoutes.get(url.pathname)?.[(incoming.method ?? "GET") as Method];
      if (!handler) {
        outgoing.writeHead(404).end();
        return;
      }
      const response = await handler(ctx, {
        method: incoming.method ?? "GET",
        header: (name) => {
          const value = incoming.headers[name.toLowerCase()];
          return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
        },
        text: async () => decodeBody(body),
      });
      outgoing.writeHead(response.status, response.headers).end(response.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const base = testProtocol(db);
    ctx = { ...base, config: { ...base.config, issuer } };
    const created = await createUser(
      db,
      { email: `admin-${provider}@example.com`, password: "long-password-1", name: "Ada Admin", admin: true },
      systemActor,
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    admin = { id: created.user.id, email: created.user.email };
    actor = { kind: "user", id: admin.id, email: admin.email, ip: "127.0.0.1" };
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await t.drop();
  });

  const callback = () => testCallbackUrl(ctx.config.issuer);

  async function app(raw: Record<string, unknown>) {
    const created = await createApplication(db, { name: "Try me", algorithm: "RS256", ...raw }, systemActor);
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    return { ...created.application, clientSecret: created.clientSecret };
  }

  /** What the browser does between the start and the callback: the authorization endpoint, and Allow. */
  async function signIn(clientId: string, applicationId: string, scopes: string[]) {
    const started = await startAuthorization(ctx.config, {
      clientId,
      redirectUri: callback(),
      scopes,
      forceConsent: true,
    });
    const url = new URL(started.authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${ctx.config.issuer}/oauth/authorize`);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("prompt")).toBe("consent");
    const validation = await validateAuthorizationRequest(ctx, url.searchParams);
    if (!validation.ok) throw new Error(JSON.stringify(validation));
    const redirect = new URL(
      await approve(ctx, validation.request, { id: admin.id, authTime: new Date() }, { consented: true }),
    );
    expect(`${redirect.origin}${redirect.pathname}`).toBe(callback());
    const flow: TryItFlow = { ...started.flow, applicationId, clientId, userId: admin.id };
    return { flow, response: redirect.searchParams };
  }

  it("signs a public app in with PKCE, verifies the ID token against the JWKS and reads userinfo", async () => {
    const spa = await app({
      clientType: "public",
      grantTypes: ["authorization_code"],
      redirectUris: [callback()],
      allowedScopes: ["openid", "profile", "email"],
    });
    const { flow, response } = await signIn(spa.clientId, spa.id, ["openid", "profile", "email"]);
    expect(checkCallback(flow, admin.id, response)).toMatchObject({ ok: true, outcome: "code" });
    const outcome = await exchangeCode(ctx.config, flow, { redirectUri: callback(), response, secret: null });
    if (!outcome.ok) throw new Error(outcome.message);
    // As the server sent it: token_type as written, not as the client library normalises it.
    expect(outcome.tokenResponse).toMatchObject({ token_type: "Bearer", scope: "email openid profile" });
    expect(outcome.tokenResponse.access_token).toMatch(/^pca_/);
    expect(outcome.idToken?.header).toMatchObject({ alg: "RS256", kid: expect.any(String) });
    expect(outcome.idToken?.claims).toMatchObject({
      iss: ctx.config.issuer,
      aud: spa.clientId,
      sub: admin.id,
      nonce: flow.nonce,
      email: admin.email,
    });
    expect(outcome.idToken?.jwksUri).toBe(`${ctx.config.issuer}/oauth/jwks`);
    expect(outcome.userinfo).toEqual({
      ok: true,
      claims: expect.objectContaining({ sub: admin.id, email: admin.email, name: "Ada Admin" }),
    });
    // Real tokens: stored (as hashes) like any other, for the app's tokens page.
    expect(await db.accessToken.count({ where: { applicationId: spa.id } })).toBe(1);

    // The code was used: a second exchange is refused by the server.
    const again = await exchangeCode(ctx.config, flow, { redirectUri: callback(), response, secret: null });
    expect(again).toMatchObject({ ok: false, error: "invalid_grant", codeUnused: false, wrongSecret: false });
  });

  it("refuses an ID token whose signature the JWKS does not verify", async () => {
    const spa = await app({ clientType: "public", grantTypes: ["authorization_code"], redirectUris: [callback()] });
    const { flow, response } = await signIn(spa.clientId, spa.id, ["openid"]);
    const published = (await ctx.keys.publicJwks()) as { keys: { kid: string }[] };
    // Another key under the same kid: the token's signature cannot verify with it.
    const { publicKey } = await generateKeyPair("RS256", { extractable: true });
    substituteJwks = {
      keys: [{ ...(await exportJWK(publicKey)), kid: published.keys[0]!.kid, alg: "RS256", use: "sig" }],
    };
    try {
      const outcome = await exchangeCode(ctx.config, flow, { redirectUri: callback(), response, secret: null });
      expect(outcome).toMatchObject({ ok: false, wrongSecret: false });
      expect(!outcome.ok && outcome.message).toMatch(/signature/i);
    } finally {
      substituteJwks = null;
    }
  });

  it("refuses a response whose state was altered before reaching the token endpoint", async () => {
    const spa = await app({ clientType: "public", grantTypes: ["authorization_code"], redirectUris: [callback()] });
    const { flow, response } = await signIn(spa.clientId, spa.id, ["openid"]);
    const altered = new URLSearchParams(response);
    altered.set("state", `${flow.state}x`);
    expect(checkCallback(flow, admin.id, altered)).toMatchObject({ ok: false, problem: "state_mismatch" });
    // The client library checks it too: nothing is exchanged, the code stays unused.
    const outcome = await exchangeCode(ctx.config, flow, { redirectUri: callback(), response: altered, secret: null });
    expect(outcome).toMatchObject({ ok: false });
    expect(await db.accessToken.count({ where: { applicationId: spa.id } })).toBe(0);
    const honest = await exchangeCode(ctx.config, flow, { redirectUri: callback(), response, secret: null });
    expect(honest.ok).toBe(true);
  });

  it("exchanges a confidential app's code with the pasted secret, after a wrong one left the code unused", async () => {
    const web = await app({
      clientType: "confidential",
      grantTypes: ["authorization_code", "refresh_token"],
      redirectUris: ["https://app.example.com/cb", callback()],
      allowedScopes: ["openid", "email", "offline_access"],
    });
    const { flow, response } = await signIn(web.clientId, web.id, ["openid", "email", "offline_access"]);
    const wrong = await exchangeCode(ctx.config, flow, {
      redirectUri: callback(),
      response,
      secret: `${web.clientSecret!.slice(0, -1)}x`,
    });
    expect(wrong).toMatchObject({ ok: false, wrongSecret: true, codeUnused: true, error: "invalid_client" });
    expect(!wrong.ok && wrong.message).toMatch(/Check the secret/);
    const right = await exchangeCode(ctx.config, flow, {
      redirectUri: callback(),
      response,
      secret: web.clientSecret!,
    });
    if (!right.ok) throw new Error(right.message);
    expect(right.tokenResponse.refresh_token).toMatch(/^pcr_/);
    expect(right.idToken?.claims.sub).toBe(admin.id);
  });

  it("requests a client credentials token, and says when the secret is wrong", async () => {
    const service = await app({
      clientType: "confidential",
      grantTypes: ["client_credentials"],
      allowedScopes: ["read", "write"],
      algorithm: "none",
    });
    const issued = await requestClientCredentials(ctx.config, {
      clientId: service.clientId,
      secret: service.clientSecret!,
      scopes: ["read"],
    });
    expect(issued).toMatchObject({ ok: true, tokenResponse: { token_type: "Bearer", scope: "read" } });
    const wrong = await requestClientCredentials(ctx.config, {
      clientId: service.clientId,
      secret: "pcs_nope",
      scopes: [],
    });
    expect(wrong).toMatchObject({ ok: false, wrongSecret: true, error: "invalid_client" });
    const refused = await requestClientCredentials(ctx.config, {
      clientId: service.clientId,
      secret: service.clientSecret!,
      scopes: ["openid"],
    });
    expect(refused).toMatchObject({ ok: false, wrongSecret: false, error: "invalid_scope" });
  });

  it("adds and removes the test callback only on the version the page showed, audited", async () => {
    const web = await app({
      clientType: "public",
      grantTypes: ["authorization_code"],
      redirectUris: ["https://app.example.com/cb"],
      accessTokenLifetime: 900,
    });
    const stale = new Date(web.updatedAt.getTime() - 1000);
    expect(await setTestCallback(db, web.id, ctx.config.issuer, true, actor, stale)).toMatchObject({
      ok: false,
      reason: "conflict",
    });
    expect((await findApplication(db, web.id))?.redirectUris).toEqual(["https://app.example.com/cb"]);

    const added = await setTestCallback(db, web.id, ctx.config.issuer, true, actor, web.updatedAt);
    if (!added.ok) throw new Error(added.message);
    expect(added).toMatchObject({ changed: true });
    expect(added.application.redirectUris).toEqual(["https://app.example.com/cb", callback()]);
    expect(added.application.accessTokenLifetime).toBe(900);
    const events = await db.auditEvent.findMany({ where: { applicationId: web.id, action: "application.updated" } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: admin.id, actorEmail: admin.email });
    expect(JSON.parse(events[0]!.details).changes).toEqual({
      redirectUris: { from: ["https://app.example.com/cb"], to: ["https://app.example.com/cb", callback()] },
    });

    // The page that showed the old version can no longer remove it.
    expect(await setTestCallback(db, web.id, ctx.config.issuer, false, actor, web.updatedAt)).toMatchObject({
      ok: false,
      reason: "conflict",
    });
    const removed = await setTestCallback(db, web.id, ctx.config.issuer, false, actor, added.application.updatedAt);
    if (!removed.ok) throw new Error(removed.message);
    expect(removed.application.redirectUris).toEqual(["https://app.example.com/cb"]);

    // The only redirect URI of a code-flow app cannot go.
    const only = await app({ clientType: "public", grantTypes: ["authorization_code"], redirectUris: [callback()] });
    expect(await setTestCallback(db, only.id, ctx.config.issuer, false, actor, only.updatedAt)).toMatchObject({
      ok: false,
      reason: "only_redirect_uri",
    });
    // Whatever the schema refuses is reported, and nothing is written: here a callback on plain http
    // off loopback (a server whose public URL is http://portcullis.internal).
    const refused = await setTestCallback(
      db,
      web.id,
      "http://portcullis.internal",
      true,
      actor,
      removed.application.updatedAt,
    );
    expect(refused).toMatchObject({ ok: false, reason: "invalid", message: expect.stringMatching(/must use https/) });
    expect((await findApplication(db, web.id))?.redirectUris).toEqual(["https://app.example.com/cb"]);
  });
});
