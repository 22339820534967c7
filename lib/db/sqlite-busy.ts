/**
 * Waiting for another process's SQLite write lock without stopping the event loop.
 *
 * SQLite's busy timeout waits inside the call: better-sqlite3 is synchronous, so a write that finds
 * another process (another worker of `npm start`, the CLI) holding the lock puts the whole process
 * to sleep, 1, 2, 5, 10… ms at a time (SQLite's busy handler), every request in it included, and
 * the longer it loses the longer it sleeps while the other process keeps writing. Measured with two
 * processes issuing tokens as fast as they could (tests/integration/processes.test.ts): one of them
 * issued 20 tokens in 3 s. Here a write runs with the busy timeout at 0, so SQLITE_BUSY comes back
 * at once, and is tried again after the event loop has had its turn (the lock is held for the tens
 * of microseconds of another batch's commit), for at most the busy timeout in all; only then does
 * the error reach the caller (answered 503, lib/database-unavailable.ts). The statement that failed
 * did nothing, so trying it again is safe.
 */
import type BetterSqlite3 from "better-sqlite3";

export interface BusyRetry {
  /** Runs `statement` (synchronous: the SQL runs before it returns) with no busy wait. */
  once<T>(statement: () => T): T;
  /** Calls `attempt` again while it fails with SQLITE_BUSY, yielding between tries, for at most the timeout. */
  retry<T>(attempt: () => T | Promise<T>): Promise<T>;
  /** When a write last found another process holding the lock (performance.now()); -Infinity if never. */
  readonly lastContention: number;
}

/** better-sqlite3's error, or Prisma's adapter error carrying it. */
export function isSqliteBusy(error: unknown): boolean {
  const value = error as { code?: unknown; cause?: { originalCode?: unknown } } | null;
  const code = value?.code ?? value?.cause?.originalCode;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}

/**
 * The first tries come right after the event loop's turn (another batch's commit holds the lock for
 * tens of microseconds); then waits of 1, 1, 2, 2, 4… up to 8 ms, so that a lock held long (a
 * holder preempted on a busy machine, a long transaction) is not polled at full speed.
 */
const pause = (tries: number) =>
  new Promise<void>((resolve) =>
    tries < 3 ? setImmediate(resolve) : setTimeout(resolve, Math.min(8, 2 ** Math.floor((tries - 3) / 2))),
  );

export function busyRetry(connection: BetterSqlite3.Database, timeoutMs: number): BusyRetry {
  // Prepared once: toggling costs two statement steps, a microsecond or two.
  const noWait = connection.prepare("PRAGMA busy_timeout = 0");
  const wait = connection.prepare(`PRAGMA busy_timeout = ${Math.floor(timeoutMs)}`);
  let lastContention = -Infinity;
  return {
    get lastContention() {
      return lastContention;
    },
    once(statement) {
      noWait.get();
      try {
        return statement();
      } finally {
        wait.get();
      }
    },
    async retry(attempt) {
      const deadline = Date.now() + timeoutMs;
      for (let tries = 0; ; tries++) {
        try {
          return await attempt();
        } catch (error) {
          if (!isSqliteBusy(error)) throw error;
          lastContention = performance.now();
          if (Date.now() >= deadline) throw error;
        }
        await pause(tries);
      }
    },
  };
}
