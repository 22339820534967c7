/**
 * Group commit. The first write of an event-loop turn is committed at once; the writes asked for
 * after it in the same turn are committed together, in one transaction, when the turn ends
 * (setImmediate), and only then do their callers' promises settle. Under load the token endpoint
 * handles dozens of requests per turn, and one commit per request made the commit itself (SQLite:
 * the WAL frames of every page an insert touched, checksummed and written; PostgreSQL: a round
 * trip and a WAL flush) the largest cost of a client_credentials request. A lone request is not
 * held back: deferring every write to the end of its turn added ~2 ms to the median of 50 paced
 * connections (bench/run.ts "paced": 2.2 → 4.2 ms).
 *
 * A batch is all or nothing. When it fails, each write is retried on its own, so one bad row (a
 * constraint it breaks) fails only its own caller, never its neighbours'.
 */

/** Writes all items in one transaction, or throws and writes none. */
export type WriteBatch<T> = (items: readonly T[]) => Promise<void>;

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function groupCommit<T>(writeBatch: WriteBatch<T>): (item: T) => Promise<void> {
  /** Whether this turn has had its first write; the ones after it wait in `pending`. */
  let turnStarted = false;
  let pending: Pending<T>[] = [];

  async function endTurn(): Promise<void> {
    turnStarted = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    try {
      await writeBatch(batch.map((entry) => entry.item));
      for (const entry of batch) entry.resolve();
    } catch (error) {
      if (batch.length === 1) {
        for (const entry of batch) entry.reject(error);
        return;
      }
      for (const entry of batch) await writeBatch([entry.item]).then(entry.resolve, entry.reject);
    }
  }

  return (item) => {
    if (!turnStarted) {
      turnStarted = true;
      setImmediate(() => void endTurn());
      return writeBatch([item]);
    }
    return new Promise<void>((resolve, reject) => pending.push({ item, resolve, reject }));
  };
}
