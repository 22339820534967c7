/**
 * Waiting for another connection's SQLite write lock (lib/db/sqlite-busy.ts), on a real file: the
 * write is tried again once the lock is let go, and the moment it met the lock is remembered (the
 * checkpointer does not finish while another process writes: lib/db/sqlite-checkpointer.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { busyRetry } from "@/lib/db/sqlite-busy";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function twoConnections(): [Database.Database, Database.Database] {
  const dir = mkdtempSync(path.join(tmpdir(), "portcullis-busy-"));
  const file = path.join(dir, "test.db");
  const ours = new Database(file);
  ours.pragma("journal_mode = WAL");
  ours.exec("CREATE TABLE item (id INTEGER PRIMARY KEY)");
  const theirs = new Database(file);
  cleanups.push(() => {
    ours.close();
    theirs.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return [ours, theirs];
}

describe("a write that finds another connection holding the lock", () => {
  it("is tried again until the lock is let go, and when that happened is remembered", async () => {
    const [ours, theirs] = twoConnections();
    const busy = busyRetry(ours, 5_000);
    const insert = ours.prepare("INSERT INTO item DEFAULT VALUES");
    await busy.retry(() => busy.once(() => insert.run()));
    expect(busy.lastContention).toBe(-Infinity);

    theirs.exec("BEGIN IMMEDIATE");
    const before = performance.now();
    setTimeout(() => theirs.exec("COMMIT"), 30);
    await busy.retry(() => busy.once(() => insert.run()));
    expect(busy.lastContention).toBeGreaterThanOrEqual(before);
    expect(busy.lastContention).toBeLessThanOrEqual(performance.now());
    expect(ours.prepare("SELECT count(*) FROM item").pluck().get()).toBe(2);
  });

  it("fails with SQLITE_BUSY once the timeout has passed, and leaves nothing half done", async () => {
    const [ours, theirs] = twoConnections();
    const busy = busyRetry(ours, 50);
    theirs.exec("BEGIN IMMEDIATE");
    cleanups.push(() => theirs.inTransaction && theirs.exec("ROLLBACK"));
    const insert = ours.prepare("INSERT INTO item DEFAULT VALUES");
    await expect(busy.retry(() => busy.once(() => insert.run()))).rejects.toMatchObject({
      code: expect.stringMatching(/^SQLITE_BUSY/),
    });
    expect(busy.lastContention).toBeGreaterThan(-Infinity);
    theirs.exec("ROLLBACK");
    expect(ours.prepare("SELECT count(*) FROM item").pluck().get()).toBe(0);
  });
});
