/**
 * The protocol endpoints through Next's route handlers (app/, lib/server/web-route.ts): what
 * `next dev` serves, while `npm start` answers the same paths in server.ts (covered by the e2e
 * tests). Web Requests in, as Next hands them over; the process's own database from DATABASE_URL,
 * as in the app.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as introspect from "@/app/oauth/introspect/route";
import * as jwks from "@/app/oauth/jwks/route";
import * as revoke from "@/app/oauth/revoke/route";
import * as token from "@/app/oauth/token/route";
import * as userinfo from "@/app/oauth/userinfo/route";
import * as openidConfiguration from "@/app/.well-known/openid-configuration/route";
import { createApplication } from "@/lib/applications/commands";
import { systemActor } from "@/lib/audit/record";
import { settings } from "@/lib/config/settings";
import { db } from "@/lib/db/client";
import { migrate, migrationsDirFor } from "@/lib/db/migrate";
import { parseDatabaseUrl } from "@/lib/db/url";
import { maxBodyBytes } from "@/lib/oauth/http";
import { seedScopeCatalogue } from "@/lib/scopes/catalogue";
import { projectRoot } from "@/lib/setup/bootstrap";
import { createUser } from "@/lib/users/commands";

const base = "http://localhost:3000";
const form = "application/x-www-form-urlencoded";
const environment = {
  DATABASE_URL: process.env.DATABASE_URL,
  PORTCULLIS_URL: process.env.PORTCULLIS_URL,
  PORTCULLIS_DATA_DIR: process.env.PORTCULLIS_DATA_DIR,
};
let dataDir: string;
let authorization: string;

function post(pathname: string, body: BodyInit, headers: Record<string, string> = {}) {
  return new Request(`${base}${pathname}`, {
    method: "POST",
    headers: { "content-type": form, authorization, ...headers },
    body,
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "portcullis-web-routes-"));
  process.env.DATABASE_URL = `file:${path.join(dataDir, "portcullis.db")}`;
  process.env.PORTCULLIS_URL = base;
  // The signing keys' generated key-encryption key goes there too, not into the project's data folder.
  process.env.PORTCULLIS_DATA_DIR = dataDir;
  const target = parseDatabaseUrl(process.env.DATABASE_URL);
  await migrate(target, migrationsDirFor(target, projectRoot));
  // As start-up does (lib/setup/bootstrap.ts).
  await seedScopeCatalogue(db(), settings().scopeSeed);
  const created = await createApplication(
    db(),
    {
      name: "Web routes",
      clientType: "confidential",
      grantTypes: ["client_credentials"],
      allowedScopes: ["read"],
      allowedOrigins: ["https://spa.example.com"],
    },
    systemActor,
  );
  if (!created.ok || !created.clientSecret) throw new Error(JSON.stringify(created));
  authorization = `Basic ${Buffer.from(`${created.application.clientId}:${created.clientSecret}`).toString("base64")}`;
});

afterAll(async () => {
  await db().$disconnect();
  rmSync(dataDir, { recursive: true, force: true });
  for (const [name, value] of Object.entries(environment)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("protocol endpoints through Next's route handlers", () => {
  it("issue, introspect and revoke a token, with the RFC's headers and CORS for a registered origin", async () => {
    const issued = await token.POST(
      post("/oauth/token", "grant_type=client_credentials&scope=read", { origin: "https://spa.example.com" }),
    );
    expect(issued.status).toBe(200);
    expect(issued.headers.get("cache-control")).toBe("no-store");
    expect(issued.headers.get("access-control-allow-origin")).toBe("https://spa.example.com");
    const body = (await issued.json()) as { access_token: string; token_type: string; scope: string };
    expect(body).toMatchObject({ token_type: "Bearer", scope: "read" });

    const active = await introspect.POST(post("/oauth/introspect", `token=${body.access_token}`));
    expect(await active.json()).toMatchObject({ active: true, scope: "read" });

    const revoked = await revoke.POST(post("/oauth/revoke", `token=${body.access_token}`));
    expect(revoked.status).toBe(200);
    expect(await revoked.text()).toBe("");
    const inactive = await introspect.POST(post("/oauth/introspect", `token=${body.access_token}`));
    expect(await inactive.json()).toEqual({ active: false });
  });

  it("still accepts a client secret and a token issued before credentials carried their issue time", async () => {
    // Stored under the plain SHA-256 of the value, as every credential was until then.
    const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
    const oldSecret = `pcs_${randomBytes(32).toString("base64url")}`;
    const oldToken = `pca_${randomBytes(32).toString("base64url")}`;
    const created = await createApplication(
      db(),
      { name: "Registered long ago", clientType: "confidential", grantTypes: ["client_credentials"] },
      systemActor,
    );
    if (!created.ok) throw new Error(JSON.stringify(created));
    const { id: applicationId, clientId } = created.application;
    await db().application.update({ where: { id: applicationId }, data: { clientSecretHash: sha256(oldSecret) } });
    await db().accessToken.create({
      data: {
        tokenHash: sha256(oldToken),
        applicationId,
        scope: "",
        grantType: "client_credentials",
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    });
    const asOldClient = { authorization: `Basic ${Buffer.from(`${clientId}:${oldSecret}`).toString("base64")}` };

    const issued = await token.POST(post("/oauth/token", "grant_type=client_credentials", asOldClient));
    expect(issued.status).toBe(200);
    const active = await introspect.POST(post("/oauth/introspect", `token=${oldToken}`, asOldClient));
    expect(await active.json()).toMatchObject({ active: true, client_id: clientId });
    expect((await revoke.POST(post("/oauth/revoke", `token=${oldToken}`, asOldClient))).status).toBe(200);
    const inactive = await introspect.POST(post("/oauth/introspect", `token=${oldToken}`, asOldClient));
    expect(await inactive.json()).toEqual({ active: false });
  });

  it("passes the request's client address to the password grant's audit entries", async () => {
    const created = await createApplication(
      db(),
      { name: "Password kiosk", clientType: "confidential", grantTypes: ["password"] },
      systemActor,
    );
    if (!created.ok || !created.clientSecret) throw new Error(JSON.stringify(created));
    const asKiosk = {
      authorization: `Basic ${Buffer.from(`${created.application.clientId}:${created.clientSecret}`).toString("base64")}`,
      // What server.ts sets from the socket (or a trusted proxy sends).
      "x-forwarded-for": "203.0.113.200",
    };
    const user = await createUser(db(), { email: "kiosk-user@example.com", password: "kiosk-password" }, systemActor);
    if (!user.ok) throw new Error(JSON.stringify(user.errors));
    const body = (password: string) =>
      new URLSearchParams({ grant_type: "password", username: user.user.email, password });

    expect((await token.POST(post("/oauth/token", body("wrong-password").toString(), asKiosk))).status).toBe(400);
    expect((await token.POST(post("/oauth/token", body("kiosk-password").toString(), asKiosk))).status).toBe(200);
    const rows = await db().auditEvent.findMany({
      where: { applicationId: created.application.id, action: { startsWith: "auth." } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    expect(rows.map((row) => [row.action, row.ip, row.targetUserId])).toEqual([
      ["auth.sign_in_failed", "203.0.113.200", user.user.id],
      ["auth.signed_in", "203.0.113.200", user.user.id],
    ]);
  });

  it("answers bad requests with the RFC's errors, never a 500", async () => {
    const wrongSecret = await token.POST(
      post("/oauth/token", "grant_type=client_credentials", { authorization: "Basic eDp5" }),
    );
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.headers.get("www-authenticate")).toBe('Basic realm="Portcullis"');
    expect(await wrongSecret.json()).toMatchObject({ error: "invalid_client" });

    const tooLarge = await token.POST(post("/oauth/token", `a=${"x".repeat(maxBodyBytes)}`));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: "invalid_request" });

    const notUtf8 = await token.POST(post("/oauth/token", new Uint8Array([0x61, 0x3d, 0xff, 0xfe])));
    expect(notUtf8.status).toBe(400);
    expect(await notUtf8.json()).toMatchObject({ error: "invalid_request" });

    const json = await token.POST(post("/oauth/token", "{}", { "content-type": "application/json" }));
    expect(json.status).toBe(400);

    const noToken = await userinfo.GET(new Request(`${base}/oauth/userinfo`));
    expect(noToken.status).toBe(401);
    // RFC 6750 §3.1: no token at all gets the challenge without an error code.
    expect(noToken.headers.get("www-authenticate")).toBe('Bearer realm="Portcullis"');
    const badToken = await userinfo.GET(
      new Request(`${base}/oauth/userinfo`, { headers: { authorization: "Bearer pca_nope" } }),
    );
    expect(badToken.status).toBe(401);
    expect(badToken.headers.get("www-authenticate")).toMatch(/^Bearer realm="Portcullis", error="invalid_token"/);
  });

  it("answers CORS preflights only for registered origins", async () => {
    const preflight = (origin: string) =>
      token.OPTIONS(new Request(`${base}/oauth/token`, { method: "OPTIONS", headers: { origin } }));
    const allowed = await preflight("https://spa.example.com");
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://spa.example.com");
    expect(allowed.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
    const refused = await preflight("https://evil.example.com");
    expect(refused.status).toBe(204);
    expect(refused.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("publishes discovery and the signing keys as cacheable documents", async () => {
    const discovery = await openidConfiguration.GET(new Request(`${base}/.well-known/openid-configuration`));
    expect(discovery.headers.get("cache-control")).toBe("public, max-age=300");
    expect(await discovery.json()).toMatchObject({ issuer: base, token_endpoint: `${base}/oauth/token` });

    const keys = await jwks.GET(new Request(`${base}/oauth/jwks`));
    expect(keys.headers.get("content-type")).toBe("application/jwk-set+json");
    const { keys: published } = (await keys.json()) as { keys: { kid: string; kty: string }[] };
    expect(published[0]).toMatchObject({ kty: "RSA" });
    expect(published[0]!.kid).toBeTruthy();
  });

  it("answers 429 with Retry-After after too many wrong client secrets from one address; the right secret from another address still works", async () => {
    const { limit, window } = settings().clientAuthThrottle;
    const created = await createApplication(
      db(),
      { name: "Guessed at", clientType: "confidential", grantTypes: ["client_credentials"] },
      systemActor,
    );
    if (!created.ok || !created.clientSecret) throw new Error(JSON.stringify(created));
    const basic = (secret: string) =>
      `Basic ${Buffer.from(`${created.application.clientId}:${secret}`).toString("base64")}`;
    const from = (ip: string, secret: string) => ({ authorization: basic(secret), "x-forwarded-for": ip });
    const attacker = "198.51.100.99";

    for (let i = 0; i < limit; i++) {
      const refused = await token.POST(post("/oauth/token", "grant_type=client_credentials", from(attacker, `w${i}`)));
      expect(refused.status).toBe(401);
      expect(refused.headers.get("www-authenticate")).toBe('Basic realm="Portcullis"');
    }
    for (const [endpoint, pathname, body] of [
      [token, "/oauth/token", "grant_type=client_credentials"],
      [introspect, "/oauth/introspect", "token=x"],
      [revoke, "/oauth/revoke", "token=x"],
    ] as const) {
      for (const secret of ["wrong-again", created.clientSecret]) {
        const limited = await endpoint.POST(post(pathname, body, from(attacker, secret)));
        expect(limited.status).toBe(429);
        const wait = Number(limited.headers.get("retry-after"));
        expect(wait).toBeGreaterThan(window - 60);
        expect(wait).toBeLessThanOrEqual(window);
        expect(limited.headers.get("cache-control")).toBe("no-store");
        expect(await limited.json()).toEqual({
          error: "invalid_client",
          error_description: `Too many failed client authentications from this address: retry after ${wait} seconds`,
        });
      }
    }
    // The refusals wrote nothing, and the client, from its own address, is served as usual.
    const failures = await db().clientAuthFailure.count({ where: { clientId: created.application.clientId } });
    expect(failures).toBe(limit);
    const all = await db().clientAuthFailure.count();
    const served = await token.POST(
      post("/oauth/token", "grant_type=client_credentials", from("203.0.113.99", created.clientSecret)),
    );
    expect(served.status).toBe(200);
    expect(await db().clientAuthFailure.count()).toBe(all);
  });
});
