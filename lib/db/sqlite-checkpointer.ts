/**
 * WAL checkpoints on a thread of their own, so they do not stall requests.
 *
 * SQLite's default copies the WAL back into the database file (and fsyncs both) inside whichever
 * commit takes the WAL past 1,000 pages. better-sqlite3 is synchronous, so that commit blocks the
 * event loop for every request in flight. Here the serving connection stops checkpointing
 * (wal_autocheckpoint=0) and a worker thread with its own connection runs PASSIVE checkpoints,
 * which never take the write lock, so commits go on while it copies; the serving connection only
 * finishes one now and then (finishPages).
 *
 * Measured on our machines on the benchmark's database (access-token inserts, one per commit, at
 * the token endpoint's ~2,000/s, between them 0.35 ms of other work): the event loop spent
 * 220-280 µs per insert with SQLite's own checkpoints; 89 µs with these, plus a 15-19 ms finish
 * about every 0.6 s (~30 µs per insert). The finish's cost is the fsync of the pages it wrote back:
 * while each token went to a random leaf of the token-key index it grew to 35-55 ms on a table of
 * millions; keyed by issue time (lib/oauth/secrets.ts) a token touches the index's last leaf, the WAL
 * grows a third as fast and a finish takes 1-3 ms.
 *
 * Should the worker fail, the connection goes back to SQLite's own checkpoints: the WAL never
 * grows without bound.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";
import { log } from "../log/logger.ts";

/** SQLite's default wal_autocheckpoint, restored if the worker stops. */
const defaultAutocheckpointPages = 1000;
/**
 * How often the worker checkpoints. Each PASSIVE round ends with an fsync of the database file;
 * back-to-back rounds under load would keep the disk busy with them and slow every commit.
 */
const intervalMs = 100;
/**
 * Once the WAL is this long (40 MB of 4 KB pages), the worker asks the serving connection to
 * finish: a PASSIVE checkpoint there copies what was committed since the worker's round (a few
 * hundred pages and one fsync, not the whole WAL), and since nothing can commit meanwhile it
 * catches up with the last commit, so the next commit starts the WAL from the beginning. Under
 * steady load the worker's rounds never catch up, and the WAL would grow forever. The worker
 * cannot do that step itself: a RESTART checkpoint there makes commits wait in SQLite's busy
 * handler, which sleeps the event loop in steps of 1, 2, 5, 10 ms… (measured: 20-50 ms stalls).
 * Long, so that it happens about once a second at the token endpoint's full rate (each token
 * commits ~8 pages).
 */
export const walPagesBeforeFinish = 10_000;
/**
 * While another process commits too (a `clear-tokens` sweep), a finish does not start the WAL over
 * (the other commits while it copies) and stalls every request here on the fsync of the other's
 * pages: measured during a sweep, seven finishes a second, 20-60 ms each (up to 145 ms), and the
 * WAL never restarted. So the serving connection finishes only after `quietBeforeFinishMs` in which
 * its writes never found another process holding the lock (the sweep pauses for it:
 * lib/maintenance/clear-tokens.ts). The worker's PASSIVE rounds go on copying the WAL back meanwhile.
 */
const quietBeforeFinishMs = 100;

// CommonJS on purpose: evaluated as a script in the worker, it needs no loader and no build step.
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const connection = new Database(workerData.file, { fileMustExist: true });
let timer;
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearTimeout(timer);
  connection.close();
  parentPort.close();
});
const checkpoint = (mode) => {
  try {
    return connection.pragma("wal_checkpoint(" + mode + ")")[0];
  } catch (error) {
    if (error.code === "SQLITE_BUSY" || error.code === "SQLITE_LOCKED") return { busy: 1, log: 0, checkpointed: 0 };
    throw error;
  }
};
function round() {
  let result = checkpoint("PASSIVE");
  if (result.busy === 0 && result.log >= workerData.finishPages) {
    // Each round copies only what the one before it left: leave the connection as little as possible.
    for (let i = 0; i < 4 && result.busy === 0 && result.log - result.checkpointed > 64; i++) result = checkpoint("PASSIVE");
    parentPort.postMessage("finish");
  }
  timer = setTimeout(round, workerData.intervalMs);
}
round();
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

/**
 * better-sqlite3's entry file, resolved from the program's entry point (server, CLI or test
 * runner, all inside the project), not from this module: inside Next's server bundle, resolving
 * from here answers a bundler module id rather than a path.
 */
function driverPath(): string {
  const from = process.argv[1] ? path.resolve(process.argv[1]) : path.join(process.cwd(), "index.js");
  const resolved: unknown = createRequire(from).resolve("better-sqlite3");
  if (typeof resolved !== "string") throw new Error(`better-sqlite3 resolved to ${String(resolved)}, not a path`);
  return resolved;
}

export interface CheckpointOptions {
  /** The better-sqlite3 module the worker loads: by default the one the program resolves. */
  driver?: string;
  /** WAL pages after which the serving connection finishes a checkpoint (walPagesBeforeFinish). */
  finishPages?: number;
  /**
   * Other processes commit to the same database (the other workers of `npm start`, which leave
   * checkpoints to this one: lib/db/client.ts). Their commits can land while the serving
   * connection's PASSIVE finish runs, so it would not catch up and the WAL would never start over
   * under steady load; the finish is then a RESTART, which takes the write lock for the copy (the
   * others wait for it in their busy handler, a few milliseconds about once a second) and makes
   * the next commit start the WAL from the beginning.
   */
  otherWriters?: boolean;
  /**
   * When the connection's writes last found another process holding the write lock
   * (performance.now(); sqlite-busy.ts). While one was seen within `quietBeforeFinishMs`, the
   * serving connection does not finish (unless `otherWriters`, where the finish takes the lock).
   */
  lastContention?: () => number;
}

/**
 * Moves `connection`'s checkpoints to a worker thread; null (SQLite keeps checkpointing on the
 * connection) when no worker can be started. Not for in-memory databases.
 */
export function checkpointInBackground(
  connection: BetterSqlite3.Database,
  { driver, finishPages = walPagesBeforeFinish, otherWriters = false, lastContention }: CheckpointOptions = {},
): Checkpointer | null {
  let worker: Worker;
  try {
    worker = new Worker(workerSource, {
      eval: true,
      workerData: {
        file: connection.name,
        driver: driver ?? driverPath(),
        intervalMs,
        finishPages,
      },
    });
  } catch (error) {
    log().warn({ err: error }, "SQLite checkpoint worker not started; checkpointing on the connection");
    return null;
  }
  // A server stops when asked, whatever this thread is doing.
  worker.unref();
  let stopping = false;
  let exited = false;
  const fallBack = (reason: unknown) => {
    if (stopping || !connection.open) return;
    log().warn({ reason: String(reason) }, "SQLite checkpoint worker stopped; checkpointing on the connection again");
    connection.pragma(`wal_autocheckpoint = ${defaultAutocheckpointPages}`);
  };
  worker.on("message", () => {
    // In a transaction the checkpoint could not finish; the worker asks again after its next round.
    if (!connection.open || connection.inTransaction) return;
    if (!otherWriters && lastContention && performance.now() - lastContention() < quietBeforeFinishMs) return;
    try {
      connection.pragma(`wal_checkpoint(${otherWriters ? "RESTART" : "PASSIVE"})`);
    } catch (error) {
      // Busy past the busy timeout: the worker asks again after its next round.
      if (!/^SQLITE_(BUSY|LOCKED)/.test(String((error as { code?: unknown }).code))) throw error;
    }
  });
  worker.on("error", fallBack);
  worker.on("exit", (code) => {
    exited = true;
    fallBack(`exit code ${code}`);
  });
  connection.pragma("wal_autocheckpoint = 0");
  return {
    async stop() {
      stopping = true;
      if (connection.open) connection.pragma(`wal_autocheckpoint = ${defaultAutocheckpointPages}`);
      if (exited) return;
      // Unreferenced, the worker would not keep this process alive until it has stopped.
      worker.ref();
      worker.postMessage("stop");
      await new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    },
  };
}
