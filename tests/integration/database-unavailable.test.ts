/**
 * isDatabaseUnavailable (lib/database-unavailable.ts) against the errors real drivers raise: a
 * refused PostgreSQL port through Prisma and through pg (the hot path's pool), a connection the
 * server terminates (57P01), a stalled server past the pool's connect timeout, SQLite locked past
 * its busy timeout and a database file that cannot be opened; and not for errors that are the
 * request's or the code's (a unique violation, bad SQL, a plain bug).
 */
import { createServer, type Server, type Socket } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { connect, driverOf, postgresConnectTimeoutMs } from "@/lib/db/client";
import { freshDatabase, type TestDatabase } from "../support/databases.ts";

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("isDatabaseUnavailable on PostgreSQL", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase("postgresql");
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("a refused port, through Prisma (model, transaction, raw) and through the pool", async () => {
    const db = connect({ provider: "postgresql", url: `postgresql://postgres@127.0.0.1:${await closedPort()}/x` });
    try {
      expect(isDatabaseUnavailable(await failure(db.user.count()))).toBe(true);
      expect(isDatabaseUnavailable(await failure(db.$transaction(async (tx) => tx.user.count())))).toBe(true);
      expect(isDatabaseUnavailable(await failure(db.$queryRawUnsafe("SELECT 1")))).toBe(true);
      const driver = await driverOf(db);
      if (driver?.provider !== "postgresql") throw new Error("expected the pg pool");
      expect(isDatabaseUnavailable(await failure(driver.pool.query("SELECT 1")))).toBe(true);
    } finally {
      await db.$disconnect();
    }
  });

  it("a connection the server terminates (57P01), and one that never answers, past the connect timeout", async () => {
    if (t.target.provider !== "postgresql") throw new Error("unreachable");
    const victim = new pg.Client({ connectionString: t.target.url });
    await victim.connect();
    victim.on("error", () => {});
    const pid = (await victim.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    const killer = new pg.Client({ connectionString: t.target.url });
    await killer.connect();
    const sleeping = failure(victim.query("SELECT pg_sleep(10)"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await killer.query("SELECT pg_terminate_backend($1)", [pid]);
    await killer.end();
    const terminated = await sleeping;
    expect((terminated as { code?: string }).code).toBe("57P01");
    expect(isDatabaseUnavailable(terminated)).toBe(true);
    await victim.end().catch(() => {});

    // A server that accepts connections and then says nothing (a dropped route, a hung host).
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const db = connect({
      provider: "postgresql",
      url: `postgresql://postgres@127.0.0.1:${(silent.address() as { port: number }).port}/x`,
    });
    try {
      const started = Date.now();
      const error = await failure(db.user.count());
      expect(Date.now() - started).toBeLessThan(postgresConnectTimeoutMs + 3_000);
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      await db.$disconnect().catch(() => {});
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it("not a unique violation or bad SQL", async () => {
    await t.db.user.create({ data: { email: "dup@example.com", passwordHash: "x" } });
    expect(
      isDatabaseUnavailable(await failure(t.db.user.create({ data: { email: "dup@example.com", passwordHash: "x" } }))),
    ).toBe(false);
    expect(isDatabaseUnavailable(await failure(t.db.$queryRawUnsafe("SELECT * FROM nowhere")))).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined"))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});

describe("isDatabaseUnavailable on SQLite", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await freshDatabase("sqlite");
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("a write lock held past the busy timeout, through Prisma and on the driver; a file that cannot be opened", async () => {
    if (t.target.provider !== "sqlite") throw new Error("unreachable");
    const holder = new Database(t.target.file);
    const impatient = new Database(t.target.file, { timeout: 0 });
    try {
      holder.exec("BEGIN IMMEDIATE");
      const busy = (() => {
        try {
          impatient.exec("CREATE TABLE busy_probe (x INTEGER)");
        } catch (error) {
          return error;
        }
      })();
      expect((busy as { code?: string }).code).toMatch(/^SQLITE_BUSY/);
      expect(isDatabaseUnavailable(busy)).toBe(true);
      // Prisma's own connection waits the configured 10 s, then gives up the same way.
      const error = await failure(t.db.user.create({ data: { email: "locked@example.com", passwordHash: "x" } }));
      expect(isDatabaseUnavailable(error)).toBe(true);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
      impatient.close();
    }
    const dir = mkdtempSync(path.join(tmpdir(), "portcullis-cantopen-"));
    try {
      const missing = connect({ provider: "sqlite", file: path.join(dir, "gone", "x.db") });
      expect(isDatabaseUnavailable(await failure(missing.user.count()))).toBe(true);
      const cantOpen = (() => {
        try {
          new Database(dir, { fileMustExist: true }).exec("SELECT 1");
        } catch (error) {
          return error;
        }
      })();
      expect(isDatabaseUnavailable(cantOpen)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);

  it("not a unique violation", async () => {
    await t.db.user.create({ data: { email: "dup@example.com", passwordHash: "x" } });
    const error = await failure(t.db.user.create({ data: { email: "dup@example.com", passwordHash: "x" } }));
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
