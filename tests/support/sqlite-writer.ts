/**
 * Another process writing to a SQLite database file: a connection on a thread of its own (one on
 * the test's thread would only run between the test's statements) committing inserts. It never
 * waits inside SQLite for a lock (busy timeout 0): it tries again. Its rows are removed when it
 * stops.
 */
import { Worker } from "node:worker_threads";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface OtherProcessOptions {
  /**
   * Write as another worker of `npm start` does: leave checkpoints to the process under test
   * (wal_autocheckpoint=0, lib/db/client.ts), commit five times, then rest a millisecond (about
   * 3,000 commits a second, the token endpoint's full rate), and when the lock is taken try again at
   * once, then after 1, 1, 2, 2, 4… up to 8 ms (lib/db/sqlite-busy.ts). By default the writer
   * commits back to back and retries at once, holding the lock nine tenths of the time, and
   * checkpoints as SQLite does on its own.
   */
  likeAnotherWorker?: boolean;
}

/** Runs `body` while the other process commits; returns how many commits it made meanwhile. */
export async function whileAnotherProcessWrites(
  file: string,
  body: () => Promise<void>,
  { likeAnotherWorker = false }: OtherProcessOptions = {},
): Promise<number> {
  const control = new Int32Array(new SharedArrayBuffer(8));
  const [stop, commits] = [0, 1];
  const writer = new Worker(
    `const { workerData } = require("node:worker_threads");
     const db = new (require("better-sqlite3"))(workerData.file, { timeout: 0 });
     if (workerData.likeAnotherWorker) db.pragma("wal_autocheckpoint = 0");
     const insert = db.prepare('INSERT INTO "SignInFailure" ("id", "email", "failedAt") VALUES (?, ?, ?)');
     for (let i = 0, tries = 0; Atomics.load(workerData.control, ${stop}) === 0; i++) {
       try {
         insert.run("writer-" + i, "writer@example.com", new Date().toISOString());
         const committed = Atomics.add(workerData.control, ${commits}, 1) + 1;
         tries = 0;
         if (workerData.likeAnotherWorker && committed % 5 === 0) Atomics.wait(workerData.control, ${stop}, 0, 1);
       } catch (error) {
         if (!String(error.code).startsWith("SQLITE_BUSY")) throw error;
         if (workerData.likeAnotherWorker && ++tries > 3) Atomics.wait(workerData.control, ${stop}, 0, Math.min(8, 2 ** Math.floor((tries - 4) / 2)));
       }
     }
     db.pragma("busy_timeout = 5000");
     db.prepare('DELETE FROM "SignInFailure" WHERE "email" = ?').run("writer@example.com");
     db.close();`,
    { eval: true, workerData: { file, control, likeAnotherWorker } },
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
