/**
 * Keeps other statements out of an open SQLite transaction.
 *
 * Prisma's better-sqlite3 adapter runs every query of the process on one connection and only
 * makes transactions wait for each other: while one request's interactive transaction is open
 * (between its awaits), another request's plain INSERT runs on the same connection and so joins
 * that transaction; if it then rolls back, the other request's write vanishes although it was
 * reported as done (tests/integration/transaction-isolation.test.ts shows it). This wrapper gives
 * the connection one queue: a plain statement waits while a transaction is open, and a
 * transaction waits for running statements. better-sqlite3 is synchronous, so statements never
 * ran in parallel anyway; the queue costs a promise per statement, not throughput.
 *
 * Inside `db.$transaction(async (tx) => …)`, use `tx`: a statement on `db` would wait for the
 * transaction it is part of (until Prisma's transaction timeout ends it). Transactions begin
 * IMMEDIATE (see startTransaction), so none needs to write first to be safe from other processes.
 */
import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from "@prisma/driver-adapter-utils";
import type { BusyRetry } from "./sqlite-busy.ts";

/** A FIFO lock: `acquire` resolves with the function that releases it. */
class Queue {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const granted = this.tail.then(() => release);
    this.tail = this.tail.then(() => held);
    return granted;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }
}

/** The transaction, releasing the queue when it commits or rolls back. */
function releasing(transaction: Transaction, release: () => void): Transaction {
  let released = false;
  const finish = async (end: () => Promise<void>) => {
    try {
      await end();
    } finally {
      if (!released) {
        released = true;
        release();
      }
    }
  };
  return {
    provider: transaction.provider,
    adapterName: transaction.adapterName,
    options: transaction.options,
    queryRaw: (query) => transaction.queryRaw(query),
    executeRaw: (query) => transaction.executeRaw(query),
    commit: () => finish(() => transaction.commit()),
    rollback: () => finish(() => transaction.rollback()),
    createSavepoint: transaction.createSavepoint?.bind(transaction),
    rollbackToSavepoint: transaction.rollbackToSavepoint?.bind(transaction),
    releaseSavepoint: transaction.releaseSavepoint?.bind(transaction),
  };
}

/** SQLITE_MAX_VARIABLE_NUMBER of the SQLite better-sqlite3 bundles. */
export const sqliteMaxVariables = 32_766;

export class SerializedAdapter implements SqlDriverAdapter {
  readonly provider;
  readonly adapterName;
  private readonly queue = new Queue();
  /** Waits for other processes' write locks without blocking the event loop (sqlite-busy.ts), once set. */
  busy: BusyRetry | undefined;

  constructor(private readonly inner: SqlDriverAdapter) {
    this.provider = inner.provider;
    this.adapterName = inner.adapterName;
  }

  /** A statement outside transactions (Prisma's adapter runs it synchronously when called). */
  private statement<T>(run: () => Promise<T>): Promise<T> {
    const busy = this.busy;
    return this.queue.run(() => (busy ? busy.retry(() => busy.once(run)) : run()));
  }

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.statement(() => this.inner.queryRaw(query));
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return this.statement(() => this.inner.executeRaw(query));
  }

  executeScript(script: string): Promise<void> {
    return this.queue.run(() => this.inner.executeScript(script));
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    const release = await this.queue.acquire();
    let transaction: Transaction | undefined;
    try {
      transaction = await this.inner.startTransaction(isolationLevel);
      // Prisma's adapter BEGINs a deferred transaction, which takes the write lock only at its first
      // write: one that reads first fails that write with SQLITE_BUSY (no wait, no retry) whenever
      // another process (the CLI, a second server) committed after the read. Nothing has run in it
      // yet, so it is traded for an IMMEDIATE one, which waits its turn for the write lock at BEGIN.
      await transaction.executeRaw({ sql: "ROLLBACK", args: [], argTypes: [] });
      const begin = () => transaction!.executeRaw({ sql: "BEGIN IMMEDIATE", args: [], argTypes: [] });
      const busy = this.busy;
      await (busy ? busy.retry(() => busy.once(begin)) : begin());
      return releasing(transaction, release);
    } catch (error) {
      // The inner adapter's own lock is let go by ending its transaction object.
      await transaction?.rollback().catch(() => {});
      release();
      throw error;
    }
  }

  /**
   * Runs a synchronous statement on the connection outside any transaction, waiting its turn if
   * one is open (for callers that use the driver under this adapter directly).
   */
  exclusive<T>(statement: () => T): Promise<T> {
    return this.queue.run(async () => statement());
  }

  getConnectionInfo() {
    // Without maxBindValues Prisma assumes SQLite's historical limit of 999 variables and refuses
    // larger statements (P2029) — clear-tokens' default batch of 1,000 ids among them. The SQLite
    // that better-sqlite3 bundles allows 32,766 (SQLITE_MAX_VARIABLE_NUMBER since 3.32).
    const info = this.inner.getConnectionInfo?.() ?? { supportsRelationJoins: false };
    return { ...info, maxBindValues: info.maxBindValues ?? sqliteMaxVariables };
  }

  dispose(): Promise<void> {
    return this.queue.run(() => this.inner.dispose());
  }
}

/** Wraps an adapter factory so each connection it makes is serialized as described above. */
export function serializedSqlite(
  factory: SqlMigrationAwareDriverAdapterFactory,
  onConnect: (adapter: SerializedAdapter) => void = () => {},
): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = new SerializedAdapter(await factory.connect());
      onConnect(adapter);
      return adapter;
    },
    connectToShadowDb: async () => new SerializedAdapter(await factory.connectToShadowDb()),
  };
}
