/**
 * WAL checkpoints on a worker thread (lib/db/sqlite-checkpointer.ts), on real SQLite files: the
 * serving connection stops checkpointing, the worker keeps the WAL from growing while commits go
 * on, and should the worker fail, SQLite's own checkpoints come back.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { Writable } from "node:stream";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { driverOf } from "@/lib/db/client";
import { checkpointInBackground, type Checkpointer } from "@/lib/db/sqlite-checkpointer";
import { createLogger, log, useLogger } from "@/lib/log/logger";
import { freshDatabase } from "../support/databases.ts";
import { whileAnotherProcessWrites } from "../support/sqlite-writer.ts";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const megabytes = (file: string) => statSync(file).size / 1024 / 1024;
/**
 * The WAL header's first salt: SQLite adds one to it each time the WAL starts over, whichever
 * connection starts it (the header's checkpoint counter is the starting connection's own).
 */
function walSalt(wal: string): number {
  const header = Buffer.alloc(32);
  const fd = openSync(wal, "r");
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(16);
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function walDatabase(): { connection: Database.Database; file: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "portcullis-checkpoint-"));
  const file = path.join(dir, "test.db");
  const connection = new Database(file);
  connection.pragma("journal_mode = WAL");
  connection.exec("CREATE TABLE item (id INTEGER PRIMARY KEY, body TEXT NOT NULL, key TEXT NOT NULL UNIQUE)");
  cleanups.push(() => {
    if (connection.open) connection.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { connection, file };
}

/**
 * Counts the checkpoints run on the serving connection itself (the finishes the worker asks for),
 * still running them.
 */
function countFinishes(connection: Database.Database): { readonly count: number } {
  const pragma = connection.pragma.bind(connection);
  let count = 0;
  connection.pragma = ((source: string, options?: Database.PragmaOptions) => {
    if (source.startsWith("wal_checkpoint(")) count++;
    return pragma(source, options);
  }) as typeof connection.pragma;
  return {
    get count() {
      return count;
    },
  };
}

/** Finishing after 1,000 pages (4 MB) rather than 10,000, so that a test sees several restarts. */
function started(connection: Database.Database): Checkpointer {
  const checkpointer = checkpointInBackground(connection, { finishPages: 1000 });
  if (!checkpointer) throw new Error("the checkpoint worker did not start");
  return checkpointer;
}

/** Commits one row at a time, as a busy server does, yielding to the event loop between a few. */
async function writeRows(connection: Database.Database, rows: number): Promise<void> {
  const insert = connection.prepare("INSERT INTO item (body, key) VALUES (?, ?)");
  for (let i = 0; i < rows; i++) {
    insert.run("x".repeat(1000), `${i}-${Math.random()}`);
    if (i % 5 === 0) await pause(1);
  }
}

describe("background WAL checkpoints", () => {
  it("take checkpointing off the serving connection and give it back when stopped", async () => {
    const { connection } = walDatabase();
    const checkpointer = started(connection);
    expect(connection.pragma("wal_autocheckpoint", { simple: true })).toBe(0);
    await checkpointer.stop();
    expect(connection.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
  });

  it("keep the WAL small while commits go on, and lose none of them", async () => {
    const { connection, file } = walDatabase();
    const checkpointer = started(connection);
    cleanups.push(() => checkpointer.stop());
    // ~70 MB of WAL without checkpoints (the next test); with them ~9 MB: a restart after each 1,000 pages.
    await writeRows(connection, 6000);
    expect(megabytes(`${file}-wal`)).toBeLessThan(24);
    expect(connection.prepare("SELECT count(*) FROM item").pluck().get()).toBe(6000);
    // Everything reaches the database file itself: a fresh connection reads it after the WAL is gone.
    await checkpointer.stop();
    connection.close();
    const reader = new Database(file, { readonly: true });
    expect(reader.prepare("SELECT count(*) FROM item").pluck().get()).toBe(6000);
    reader.close();
  });

  it("with another process committing too (the other workers of npm start), keep starting the WAL over", async () => {
    const { connection, file } = walDatabase();
    connection.exec('CREATE TABLE "SignInFailure" ("id" TEXT PRIMARY KEY, "email" TEXT, "failedAt" TEXT)');
    const checkpointer = checkpointInBackground(connection, { finishPages: 1000, otherWriters: true });
    if (!checkpointer) throw new Error("the checkpoint worker did not start");
    cleanups.push(() => checkpointer.stop());
    const wal = `${file}-wal`;
    const firstSalt = walSalt(wal);
    const startsOver = () => (walSalt(wal) - firstSalt) >>> 0;
    const giveUpAt = performance.now() + 30_000;
    let rows = 0;
    const theirs = await whileAnotherProcessWrites(
      file,
      async () => {
        // Without a finish that takes the lock the WAL (almost) never starts over, and grows by
        // gigabytes while the other process commits: stop early then.
        while (startsOver() < 5 && megabytes(wal) < 1024 && performance.now() < giveUpAt) {
          await writeRows(connection, 100);
          rows += 100;
        }
      },
      { likeAnotherWorker: true },
    );
    expect(theirs).toBeGreaterThan(0);
    // Measured: 7-10 times in 3,000 rows; with a PASSIVE finish 0 or 1 (the WAL grows ~60 MB a second).
    expect(startsOver()).toBeGreaterThanOrEqual(5);
    expect(connection.prepare("SELECT count(*) FROM item").pluck().get()).toBe(rows);
  }, 120_000);

  it("do not finish on the serving connection while its writes meet another process's lock, and finish once they no longer do", async () => {
    const { connection } = walDatabase();
    const finishes = countFinishes(connection);
    let contended = true;
    const checkpointer = checkpointInBackground(connection, {
      finishPages: 1000,
      lastContention: () => (contended ? performance.now() : -Infinity),
    });
    if (!checkpointer) throw new Error("the checkpoint worker did not start");
    cleanups.push(() => checkpointer.stop());

    // ~9,000 pages of WAL: the worker asks for a finish after most of its rounds.
    await writeRows(connection, 3000);
    expect(finishes.count).toBe(0);

    contended = false;
    let written = 3000;
    while (finishes.count === 0 && written < 12_000) {
      await writeRows(connection, 500);
      written += 500;
    }
    expect(finishes.count).toBeGreaterThan(0);
    expect(connection.prepare("SELECT count(*) FROM item").pluck().get()).toBe(written);
  }, 60_000);

  it("without the worker, the same commits grow the WAL (what the test above rules out)", async () => {
    const { connection, file } = walDatabase();
    connection.pragma("wal_autocheckpoint = 0");
    await writeRows(connection, 6000);
    expect(megabytes(`${file}-wal`)).toBeGreaterThan(48);
  });

  it("fall back to SQLite's own checkpoints when the worker cannot run", async () => {
    const { connection } = walDatabase();
    const errors: string[] = [];
    const original = log();
    useLogger(
      createLogger(
        { level: "warn", format: "json" },
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            errors.push(chunk.toString());
            done();
          },
        }),
      ),
    );
    cleanups.push(() => useLogger(original));
    checkpointInBackground(connection, { driver: path.join(tmpdir(), "no-such-driver.js") });
    for (
      let waited = 0;
      waited < 5000 && connection.pragma("wal_autocheckpoint", { simple: true }) === 0;
      waited += 20
    ) {
      await pause(20);
    }
    expect(connection.pragma("wal_autocheckpoint", { simple: true })).toBe(1000);
    expect(errors[0]).toMatch(/checkpoint worker stopped/);
  });

  it("run under the app's own SQLite client, and stop with it", async () => {
    const t = await freshDatabase("sqlite");
    const reached = await driverOf(t.db);
    if (reached?.provider !== "sqlite") throw new Error("expected the SQLite driver");
    // Prisma's adapter reads integers as BigInt on its connection.
    expect(Number(reached.connection.pragma("wal_autocheckpoint", { simple: true }))).toBe(0);
    // Disconnecting waits for the worker to stop: a worker that did not would fail this by timeout.
    await t.drop();
    expect(reached.connection.open).toBe(false);
  });
});
