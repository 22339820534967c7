/**
 * Another process writing to a SQLite database file: a connection on a thread of its own (one on
 * the test's thread would only run between the test's statements) committing inserts as fast as it
 * can. It never waits for a lock (busy timeout 0): it retries. Its rows are removed when it stops.
 */
import { Worker } from "node:worker_threads";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `body` while the other process commits; returns how many commits it made meanwhile. */
export async function whileAnotherProcessWrites(file: string, body: () => Promise<void>): Promise<number> {
  const control = new Int32Array(new SharedArrayBuffer(8));
  const [stop, commits] = [0, 1];
  const writer = new Worker(
    `const { workerData } = require("node:worker_threads");
     const db = new (require("better-sqlite3"))(workerData.file, { timeout: 0 });
     const insert = db.prepare('INSERT INTO "SignInFailure" ("id", "email", "failedAt") VALUES (?, ?, ?)');
     for (let i = 0; Atomics.load(workerData.control, ${stop}) === 0; i++) {
       try { insert.run("writer-" + i, "writer@example.com", new Date().toISOString()); Atomics.add(workerData.control, ${commits}, 1); }
       catch (error) { if (!String(error.code).startsWith("SQLITE_BUSY")) throw error; }
     }
     db.prepare('DELETE FROM "SignInFailure" WHERE "email" = ?').run("writer@example.com");
     db.close();`,
    { eval: true, workerData: { file, control } },
  );
  const exited = new Promise((resolve, reject) => writer.on("exit", resolve).on("error", reject));
  try {
    while (Atomics.load(control, commits) === 0) await pause(1);
    await body();
  } finally {
    Atomics.store(control, stop, 1);
    await exited;
  }
  return Atomics.load(control, commits);
}
