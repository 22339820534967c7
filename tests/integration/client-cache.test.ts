/**
 * lib/db/client-cache.ts on a real, migrated PostgreSQL database: the token endpoint's store keeps
 * clients in memory while it listens for the trigger's NOTIFY, forgets them when any connection
 * changes a registration, and reads the database whenever it is not listening.
 */
import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/applications/commands";
import { systemActor } from "@/lib/audit/record";
import { clientChangeChannel, notifiedClientCache } from "@/lib/db/client-cache";
import { prismaOAuthStore } from "@/lib/db/oauth-store";
import type { OAuthStore } from "@/lib/oauth/store";
import { freshDatabase, type TestDatabase } from "../support/databases.ts";

describe("client cache on PostgreSQL", () => {
  let t: TestDatabase;
  let store: OAuthStore;
  /** Another connection: another instance, the CLI or an operator's psql. */
  let other: pg.Client;
  let applicationId: string;
  let clientId: string;

  const url = () => (t.target.provider === "postgresql" ? t.target.url : "");
  const name = async () => (await store.findClient(clientId))?.name;

  /** The store's listening connection, as PostgreSQL sees it. */
  async function listenerPid(): Promise<number | null> {
    const result = await other.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1 AND pid <> pg_backend_pid()`,
      [`LISTEN ${clientChangeChannel}`],
    );
    return result.rows[0]?.pid ?? null;
  }

  async function untilListening(): Promise<void> {
    await store.findClient(clientId); // the first lookup opens the listening connection
    await expect.poll(listenerPid, { timeout: 5000, interval: 20 }).not.toBeNull();
  }

  /** A change no trigger reports, as a lost notification would leave it. */
  async function renameSilently(newName: string): Promise<void> {
    await other.query(`ALTER TABLE "Application" DISABLE TRIGGER "Application_client_change"`);
    try {
      await other.query(`UPDATE "Application" SET "name" = $1 WHERE "id" = $2`, [newName, applicationId]);
    } finally {
      await other.query(`ALTER TABLE "Application" ENABLE TRIGGER "Application_client_change"`);
    }
  }

  beforeAll(async () => {
    t = await freshDatabase("postgresql");
    store = prismaOAuthStore(t.db);
    const created = await createApplication(
      t.db,
      { name: "Cached", clientType: "confidential", grantTypes: ["client_credentials"] },
      systemActor,
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    applicationId = created.application.id;
    clientId = created.application.clientId;
    other = new pg.Client({ connectionString: url() });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await t?.drop();
  });

  it("keeps a client in memory while listening: a change nobody reports is not seen", async () => {
    await untilListening();
    expect(await name()).toBe("Cached");
    await renameSilently("Renamed silently");
    expect(await name()).toBe("Cached");
    // What a lost notification would leave is what the trigger prevents: a reported change is seen.
    await other.query(`UPDATE "Application" SET "name" = $1 WHERE "id" = $2`, ["Renamed", applicationId]);
    await expect.poll(name, { timeout: 2000, interval: 5 }).toBe("Renamed");
  });

  it("forgets it when another connection changes the client's URIs, scopes or grant types", async () => {
    await untilListening();
    expect((await store.findClient(clientId))?.allowedScopes).toEqual([]);
    await other.query(`INSERT INTO "ApplicationScope" ("applicationId", "scope") VALUES ($1, 'read')`, [applicationId]);
    await expect
      .poll(async () => (await store.findClient(clientId))?.allowedScopes, { timeout: 2000, interval: 5 })
      .toEqual(["read"]);
    await other.query(`DELETE FROM "ApplicationGrantType" WHERE "applicationId" = $1`, [applicationId]);
    await expect
      .poll(async () => (await store.findClient(clientId))?.grantTypes, { timeout: 2000, interval: 5 })
      .toEqual([]);
  });

  it("reads the database while its listening connection is lost, and listens again", async () => {
    await untilListening();
    const pid = await listenerPid();
    await other.query(`SELECT pg_terminate_backend($1)`, [pid]);
    await renameSilently("Seen without a notification");
    await expect.poll(name, { timeout: 2000, interval: 5 }).toBe("Seen without a notification");
    // A lookup a second later opens a new listening connection, and clients are kept in memory again.
    const reconnected = async () => {
      await store.findClient(clientId);
      return listenerPid();
    };
    await expect.poll(reconnected, { timeout: 5000, interval: 50 }).not.toBeNull();
    expect(await listenerPid()).not.toBe(pid);
    await store.findClient(clientId);
    await renameSilently("Not seen");
    expect(await name()).toBe("Seen without a notification");
  });

  it("keeps nothing when turned off (PORTCULLIS_CLIENT_CACHE=off, e.g. behind PgBouncer in transaction mode)", async () => {
    const uncached = prismaOAuthStore(t.db, { clientCache: false });
    // What the database holds since the last silent rename, which the caching store did not see.
    expect((await uncached.findClient(clientId))?.name).toBe("Not seen");
    await renameSilently("Seen at once");
    expect((await uncached.findClient(clientId))?.name).toBe("Seen at once");
  });

  /** How many connections to this database are listening for client changes, the test's own aside. */
  async function listeners(): Promise<number> {
    const result = await other.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query = $1 AND pid <> pg_backend_pid()`,
      [`LISTEN ${clientChangeChannel}`],
    );
    return Number(result.rows[0]?.n);
  }

  /** A cache's reads that went to the database, out of `times` lookups of one client. */
  async function loadsOf(cache: ReturnType<typeof notifiedClientCache<string>>, times = 1): Promise<number> {
    let loads = 0;
    for (let i = 0; i < times; i++) {
      await cache.read("client", async () => {
        loads++;
        return "client";
      });
    }
    return loads;
  }

  it("notices a listening connection that dies without a word (a dropped NAT entry) by its heartbeat", async () => {
    // A TCP relay to PostgreSQL that can stop passing bytes while both sockets stay open.
    const target = new URL(url());
    let frozen = false;
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((inbound) => {
      const outbound = net.connect(Number(target.port || 5432), target.hostname);
      sockets.add(inbound).add(outbound);
      inbound.on("data", (chunk) => frozen || outbound.write(chunk));
      outbound.on("data", (chunk) => frozen || inbound.write(chunk));
      const close = () => (inbound.destroy(), outbound.destroy());
      inbound.on("error", close).on("close", close);
      outbound.on("error", close).on("close", close);
    });
    await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
    const viaRelay = new URL(url());
    viaRelay.hostname = "127.0.0.1";
    viaRelay.port = String((relay.address() as net.AddressInfo).port);
    const pool = new pg.Pool({ connectionString: viaRelay.toString() });
    const cache = notifiedClientCache<string>(pool, { heartbeatMs: 100, heartbeatTimeoutMs: 300, retryMs: 60_000 });
    try {
      await expect.poll(() => loadsOf(cache, 2), { timeout: 5000, interval: 20 }).toBe(0);
      frozen = true;
      // Kept in memory no longer: without the heartbeat it would be, for maxAgeMs (30 s).
      await expect.poll(() => loadsOf(cache, 2), { timeout: 3000, interval: 20 }).toBe(2);
    } finally {
      await pool.end();
      for (const socket of sockets) socket.destroy();
      relay.close();
    }
  });

  it("closes its listening connection once its pool has ended", async () => {
    const before = await listeners();
    const pool = new pg.Pool({ connectionString: url() });
    const cache = notifiedClientCache<string>(pool);
    await expect.poll(() => loadsOf(cache), { timeout: 5000, interval: 20 }).toBe(0);
    expect(await listeners()).toBe(before + 1);
    await pool.end();
    await loadsOf(cache);
    await expect.poll(listeners, { timeout: 3000, interval: 20 }).toBe(before);
  });
});
