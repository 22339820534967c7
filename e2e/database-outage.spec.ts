/**
 * A database outage answers "temporarily unavailable", not 500 (RFC 6749 §4.1.2.1, §5.2): 503 with
 * Retry-After on the token endpoint, `temporarily_unavailable` on the authorization redirect once
 * the client is known, a "try again" page where it is not, and service again once the database is
 * back. A server of this test's own reaches PostgreSQL through a TCP proxy the test cuts (the shared
 * PostgreSQL server is never touched); on SQLite, another process holds the write lock past the
 * busy timeout.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";
import { systemActor } from "../lib/audit/record.ts";
import { connect, type Db } from "../lib/db/client.ts";
import { createUser } from "../lib/users/commands.ts";
import { admin } from "./support/environments.ts";
import { startServerProcess as startIsolatedServer, type IsolatedServer } from "./support/isolated-server.ts";
import { basic, callback, registerClient, signedInSession } from "./support/oauth.ts";
import { startTcpProxy, type TcpProxy } from "./support/tcp-proxy.ts";

const portBase = Number(process.env.E2E_PORT_BASE ?? 3101);
const postgresBase = new URL(process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");

function tokenRequest(baseURL: string, clientId: string, secret: string) {
  return fetch(`${baseURL}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...basic(clientId, secret) },
    body: "grant_type=client_credentials",
  });
}

function authorizeUrl(clientId: string, state: string): string {
  const query = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: callback,
    scope: "openid",
    state,
    code_challenge: randomBytes(32).toString("base64url"),
    code_challenge_method: "S256",
  });
  return `/oauth/authorize?${query}`;
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test.describe("database outage", () => {
  test.describe.configure({ mode: "serial" });

  test("PostgreSQL out of reach: 503 + Retry-After, temporarily_unavailable on the redirect, then recovery", async ({}, testInfo) => {
    test.skip(testInfo.project.name !== "postgres", "runs once, against a PostgreSQL server of its own");
    test.setTimeout(180_000);
    const port = portBase + 12; // above the shared servers (environments.ts)
    const database = `portcullis_e2e_outage_${port}`;
    const direct = new URL(postgresBase);
    direct.pathname = `/${database}`;
    let proxy: TcpProxy | undefined;
    let server: IsolatedServer | undefined;
    let db: Db | undefined;
    try {
      proxy = await startTcpProxy({ host: postgresBase.hostname, port: Number(postgresBase.port || 5432) });
      const viaProxy = new URL(direct);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      server = await startIsolatedServer("outage", port, viaProxy.toString());
      const { baseURL } = server;
      db = connect({ provider: "postgresql", url: direct.toString() });
      const rp = await registerClient(db, {
        grantTypes: ["authorization_code", "client_credentials"],
        skipAuthorization: true,
      });
      const email = `outage-${randomBytes(4).toString("hex")}@example.com`;
      const created = await createUser(db, { email, password: "outage-password-1", name: "Outage" }, systemActor);
      expect(created.ok).toBe(true);
      const user = await signedInSession(baseURL, email, "outage-password-1");
      const operator = await signedInSession(baseURL, admin.email, admin.password);

      // Up: tokens are issued; the client is now held by the server's client cache.
      await eventually(async () => (await tokenRequest(baseURL, rp.clientId, rp.clientSecret!)).status === 200);
      // The first lookup opened the cache's notification connection; once it listens, lookups are kept.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect((await tokenRequest(baseURL, rp.clientId, rp.clientSecret!)).status).toBe(200);

      // Relying parties fetch the keys; the server now holds them in memory.
      expect((await fetch(`${baseURL}/oauth/jwks`)).status).toBe(200);

      // The pool's connections drop and new ones are refused; the notification connection survives.
      await proxy.cut({ keepListening: true });
      const refused = await tokenRequest(baseURL, rp.clientId, rp.clientSecret!);
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(refused.headers.get("cache-control")).toBe("no-store");
      expect(await refused.json()).toEqual({
        error: "temporarily_unavailable",
        error_description: "The server is temporarily unavailable; try again shortly",
      });

      // The client is known, so the authorization endpoint tells it to try again (RFC 6749 §4.1.2.1).
      const answer = await user.get(authorizeUrl(rp.clientId, "outage-state"), { maxRedirects: 0 });
      expect(answer.status()).toBeGreaterThanOrEqual(300);
      expect(answer.status()).toBeLessThan(400);
      const location = new URL(answer.headers()["location"]!, baseURL);
      expect(`${location.origin}${location.pathname}`).toBe(callback);
      expect(location.searchParams.get("error")).toBe("temporarily_unavailable");
      expect(location.searchParams.get("state")).toBe("outage-state");
      expect(location.searchParams.get("iss")).toBe(baseURL);

      // Fully out of reach: the client cannot be looked up, so there is nowhere safe to redirect to.
      await proxy.cut();
      await eventually(async () => {
        const page = await user.get(authorizeUrl(rp.clientId, "s2"), { maxRedirects: 0 });
        return page.status() === 503 && (await page.text()).includes('data-testid="service-unavailable"');
      });
      // Every page says so, with the status and Retry-After monitors and browsers understand.
      for (const [context, address] of [
        [operator, "/admin"],
        [operator, "/admin/applications"],
        [user, "/account"],
        [user, "/account/sessions"],
        [user, "/login"],
      ] as const) {
        const answer = await context.get(address, { maxRedirects: 0 });
        expect(answer.status(), address).toBe(503);
        expect(answer.headers()["retry-after"], address).toBe("5");
        const html = await answer.text();
        expect(html, address).toContain('data-testid="service-unavailable"');
        expect(html, address).toContain("Temporarily unavailable");
      }
      // An error no page catches (next-auth's session endpoint reads the session's row) is a 503 too.
      const session = await user.get("/api/auth/session");
      expect(session.status()).toBe(503);
      expect(session.headers()["retry-after"]).toBe("5");
      // The JWKS is served from memory: relying parties keep verifying ID tokens.
      expect((await fetch(`${baseURL}/oauth/jwks`)).status).toBe(200);

      // Back: the same requests succeed without a restart.
      await proxy.restore();
      await eventually(async () => (await tokenRequest(baseURL, rp.clientId, rp.clientSecret!)).status === 200);
      const back = await user.get(authorizeUrl(rp.clientId, "back"), { maxRedirects: 0 });
      const code = new URL(back.headers()["location"]!, baseURL);
      expect(code.searchParams.get("code")).toMatch(/^pcc_/);
      expect(code.searchParams.get("state")).toBe("back");
      expect((await operator.get("/admin")).status()).toBe(200);
      expect(server.stdout()).toContain("the database is unavailable (answered 503)");
    } finally {
      await db?.$disconnect();
      await server?.stop();
      await proxy?.close();
      const maintenance = connect({ provider: "postgresql", url: postgresBase.toString() });
      await maintenance.$executeRawUnsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await maintenance.$disconnect();
    }
  });

  test("SQLite locked by another process past the busy timeout: 503 + Retry-After, then recovery", async ({}, testInfo) => {
    test.skip(testInfo.project.name !== "sqlite", "runs once, against a SQLite server of its own");
    test.setTimeout(180_000);
    const port = portBase + 13;
    let server: IsolatedServer | undefined;
    let db: Db | undefined;
    let holder: Database.Database | undefined;
    try {
      const file = path.resolve(import.meta.dirname, `../.test-data/e2e-locked-${port}/portcullis.db`);
      server = await startIsolatedServer("locked", port, `file:${file}`);
      const { baseURL } = server;
      db = connect({ provider: "sqlite", file });
      const rp = await registerClient(db, { grantTypes: ["client_credentials"] });
      expect((await tokenRequest(baseURL, rp.clientId, rp.clientSecret!)).status).toBe(200);

      holder = new Database(file);
      holder.exec("BEGIN IMMEDIATE");
      const started = Date.now();
      const locked = await tokenRequest(baseURL, rp.clientId, rp.clientSecret!);
      expect(Date.now() - started).toBeGreaterThan(9_000); // the busy timeout, 10 s, was waited out
      expect(locked.status).toBe(503);
      expect(locked.headers.get("retry-after")).toBe("5");
      expect((await locked.json()).error).toBe("temporarily_unavailable");

      holder.exec("ROLLBACK");
      expect((await tokenRequest(baseURL, rp.clientId, rp.clientSecret!)).status).toBe(200);
    } finally {
      holder?.close();
      await db?.$disconnect();
      await server?.stop();
    }
  });
});
