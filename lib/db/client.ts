/**
 * The Prisma client for this process, chosen by DATABASE_URL. Each provider has its own generated
 * client (a generated client is bound to its provider); both come from one schema, so they share
 * one shape and the rest of the code sees a single `Db` type.
 *
 * The driver under each client is also reachable (driverOf), for the few statements on the token
 * endpoint's hot path that lib/db/oauth-store.ts runs without Prisma (the measurements are there).
 * It is the very connection (SQLite) or pool (PostgreSQL) Prisma uses, never a second one: on
 * SQLite a second connection in the same process could wait, synchronously, for a write lock that
 * Prisma's open transaction holds, and that transaction cannot finish while the thread waits. On
 * the shared connection, those statements keep serialized-sqlite.ts's rule themselves: none runs
 * while a transaction is open (connection.inTransaction); then they wait for a transaction of
 * their own.
 */
import type BetterSqlite3 from "better-sqlite3";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { PrismaClient as PostgresClient } from "../generated/postgres/client.ts";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client.ts";
import { settings } from "../config/settings.ts";
import { serializedSqlite } from "./serialized-sqlite.ts";
import { busyRetry, type BusyRetry } from "./sqlite-busy.ts";
import { checkpointInBackground } from "./sqlite-checkpointer.ts";
import { workerRole } from "../cluster/worker.ts";
import { parseDatabaseUrl, type DatabaseTarget } from "./url.ts";
import { log } from "../log/logger.ts";

export type Db = SqliteClient;
export type { DatabaseTarget };

interface Database {
  db: Db;
  target: DatabaseTarget;
}

/**
 * The driver under a client: the better-sqlite3 connection, or the pg pool.
 *
 * On SQLite the connection is Prisma's. With no transaction open, a statement runs and (a write)
 * commits at once: the call is synchronous, nothing else runs in between. While another request's
 * Prisma transaction is open on it (between its awaits), a statement would join it: a read would
 * see its uncommitted writes, a write would vanish if it rolled back after our answer. So
 * `outsideTransactions` runs it at once when no transaction is open, else once that transaction has
 * ended, from the connection's queue (serialized-sqlite.ts): as it would have run, not in a Prisma
 * transaction of its own, whose round trips through Prisma cost far more than the statement.
 */
export type Driver =
  | {
      provider: "sqlite";
      connection: BetterSqlite3.Database;
      outsideTransactions: <T>(statement: () => T) => Promise<T>;
      /**
       * A write as outsideTransactions runs it, waiting for another process's write lock without
       * blocking the event loop (sqlite-busy.ts).
       */
      write: <T>(statement: () => T) => Promise<T>;
    }
  | { provider: "postgresql"; pool: pg.Pool };

interface Handle {
  provider: DatabaseTarget["provider"];
  /** Checkpoints on a worker thread (sqlite-checkpointer.ts) rather than SQLite's own (ConnectOptions). */
  backgroundCheckpoints: boolean;
  driver?: Driver;
  /** The connection Prisma's SQLite adapter opened, until the driver is complete. */
  sqliteConnection?: BetterSqlite3.Database;
  /** How that connection waits for other processes' write locks, once set. */
  sqliteBusy?: BusyRetry;
}

/**
 * Each client carries its handle under a global symbol rather than in a module-level map: Next's
 * build can place this module in several server chunks, each with its own copy of module state,
 * while the client itself is shared through globalThis.
 */
const handleKey = Symbol.for("portcullis.db.handle");

function handleOf(db: Db): Handle | undefined {
  return (db as unknown as Record<symbol, Handle | undefined>)[handleKey];
}

/**
 * PostgreSQL connections per process: pg's default, as before the pool was made here. A token
 * request holds one for two short statements, so 10 serve 50 concurrent requests; each process
 * opens its own, and the sum over all instances must stay under max_connections (100 by default).
 */
const postgresPoolSize = 10;

/** How long a SQLite write may wait for another process's write lock (lib/db/sqlite-busy.ts). */
const sqliteBusyTimeoutMs = 10_000;

/** How long opening a PostgreSQL connection, or waiting for one of the pool's, may take. */
export const postgresConnectTimeoutMs = 5_000;

/**
 * Prisma's better-sqlite3 adapter factory, unchanged, except that it remembers the connection it
 * opens, for driverOf. The adapter keeps it in a `client` field: not a public API (checked here
 * against the pinned 7.10.0) when the connection opens; without it the hot path stays on Prisma.
 *
 * SQLite settings stay as they were: WAL (set by the migrator) with better-sqlite3's compiled-in default
 * for WAL, synchronous=NORMAL (SQLITE_DEFAULT_WAL_SYNCHRONOUS=1): a commit survives a process
 * crash; fsync happens at checkpoints, so a power loss can drop the last commits.
 * synchronous=FULL would fsync every commit: 0.25 ms against 0.07 ms per INSERT, measured here.
 * Checkpoints run on a worker thread (sqlite-checkpointer.ts) rather than inside a commit; with
 * several workers (PORTCULLIS_WORKERS), in the first worker only. Across workers, SQLite's own file
 * locks order the writes: each write transaction begins IMMEDIATE and waits for another process's
 * (the busy timeout below), never failing for it.
 */
class SqliteAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "sqlite";
  readonly adapterName: string;
  readonly #inner: PrismaBetterSqlite3;
  readonly #handle: Handle;

  constructor(inner: PrismaBetterSqlite3, handle: Handle) {
    this.#inner = inner;
    this.#handle = handle;
    this.adapterName = inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    const adapter = await this.#inner.connect();
    const connection = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
    if (connection && typeof connection.prepare === "function" && typeof connection.inTransaction === "boolean") {
      this.#handle.sqliteConnection = connection;
      const role = workerRole();
      if (role && role.slot !== 1 && !connection.memory) {
        // One checkpointer per database file: the first worker's (it copies every process's commits).
        // Checkpoints inside this process's commits would stall its event loop, as explained there.
        connection.pragma("wal_autocheckpoint = 0");
      } else if (!connection.memory && this.#handle.backgroundCheckpoints) {
        const checkpointer = checkpointInBackground(connection, {
          otherWriters: role !== null,
          lastContention: () => this.#handle.sqliteBusy?.lastContention ?? -Infinity,
        });
        if (checkpointer) {
          const dispose = adapter.dispose.bind(adapter);
          adapter.dispose = async () => {
            await checkpointer.stop();
            await dispose();
          };
        }
      }
    }
    return adapter;
  }

  connectToShadowDb(): Promise<SqlDriverAdapter> {
    return this.#inner.connectToShadowDb();
  }
}

export interface ConnectOptions {
  /**
   * SQLite: checkpoint on a worker thread (the default, for a server). The command line opts out:
   * its commands are short, and `clear-tokens` checkpoints its own batches; a second checkpointer
   * beside the server's would only compete with it for the disk. SQLite's own checkpoints then run
   * after the command's commits, with the write lock already released.
   */
  backgroundCheckpoints?: boolean;
}

export function connect(target: DatabaseTarget, options: ConnectOptions = {}): Db {
  const handle: Handle = { provider: target.provider, backgroundCheckpoints: options.backgroundCheckpoints ?? true };
  let client: Db;
  if (target.provider === "sqlite") {
    // better-sqlite3's `timeout` is SQLite's busy timeout: wait for another process's write lock.
    const factory = new SqliteAdapterFactory(
      new PrismaBetterSqlite3({ url: target.file, timeout: sqliteBusyTimeoutMs }),
      handle,
    );
    // One queue for the connection: no statement joins another request's open transaction.
    client = new SqliteClient({
      adapter: serializedSqlite(factory, (adapter) => {
        const connection = handle.sqliteConnection;
        if (!connection) return;
        const busy = busyRetry(connection, sqliteBusyTimeoutMs);
        adapter.busy = busy;
        handle.sqliteBusy = busy;
        const outsideTransactions = <T>(statement: () => T): Promise<T> =>
          connection.inTransaction ? adapter.exclusive(statement) : Promise.resolve(statement());
        handle.driver = {
          provider: "sqlite",
          connection,
          outsideTransactions,
          // Each try waits its turn again: a retry must not join a transaction opened meanwhile.
          write: (statement) => busy.retry(() => outsideTransactions(() => busy.once(statement))),
        };
      }),
    });
  } else {
    const pool = new pg.Pool({
      connectionString: target.url,
      max: postgresPoolSize,
      // A database that stops answering (a dropped route, a firewall) would otherwise hold each
      // request until the kernel gives up on the connection, minutes later; after this the request
      // is answered 503 (lib/database-unavailable.ts). Also bounds the wait for a free connection.
      connectionTimeoutMillis: postgresConnectTimeoutMs,
    });
    // An idle connection that fails (server restart) must not crash the process; pg replaces it.
    pool.on("error", (error) => log().warn({ cause: error.message }, "PostgreSQL pool connection failed"));
    handle.driver = { provider: "postgresql", pool };
    // disposeExternalPool: $disconnect() ends the pool, as it did when the adapter made its own.
    client = new PostgresClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) }) as unknown as Db;
  }
  Object.defineProperty(client, handleKey, { value: handle, enumerable: false });
  return client;
}

/**
 * The driver under a client from connect(), connecting first if needed; undefined when it cannot
 * be reached (then the caller uses Prisma).
 */
export async function driverOf(db: Db): Promise<Driver | undefined> {
  const handle = handleOf(db);
  if (!handle) return undefined;
  if (!handle.driver && handle.provider === "sqlite") await db.$connect();
  return handle.driver;
}

/** Which database a client talks to; also for clients made without connect() (tests). */
export function providerOf(db: Db): DatabaseTarget["provider"] {
  const handle = handleOf(db);
  if (handle) return handle.provider;
  return (db as unknown) instanceof PostgresClient ? "postgresql" : "sqlite";
}

type SearchableTable = { Application: "name" | "clientId"; User: "email" | "name"; AuditEvent: "actorEmail" };

/** PostgreSQL's LIKE treats `\\` as its escape character: make %, _ and \\ literal. */
const escapeLike = (value: string) => value.replace(/[\\%_]/g, (char) => `\\${char}`);

/**
 * A where-clause fragment: rows where any of `columns` contains `text`, ignoring case (ASCII case on
 * SQLite, as its LIKE does). Prisma's `contains` passes % and _ through as wildcards: escaped here
 * for PostgreSQL; SQLite's LIKE has no escape character unless the SQL names one (Prisma's never
 * does), so a search holding one is answered by instr() instead, as a list of ids.
 */
export async function textFilter<T extends keyof SearchableTable>(
  db: Db,
  table: T,
  columns: readonly SearchableTable[T][],
  text: string,
): Promise<Record<string, unknown>> {
  if (providerOf(db) === "postgresql") {
    return { OR: columns.map((column) => ({ [column]: { contains: escapeLike(text), mode: "insensitive" } })) };
  }
  if (!/[%_]/.test(text)) return { OR: columns.map((column) => ({ [column]: { contains: text } })) };
  const matches = columns.map((column) => `instr(lower("${column}"), lower(?)) > 0`).join(" OR ");
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `SELECT id FROM "${table}" WHERE ${matches}`,
    ...columns.map(() => text),
  );
  return { id: { in: rows.map((row) => row.id) } };
}

/**
 * A where-clause fragment: applications whose metadata holds `value` under `key` (`contains`: in the
 * list there). Answered as a list of ids, the one JSON query both databases can run.
 */
export async function metadataFilter(
  db: Db,
  key: string,
  value: string | boolean,
  match: "equals" | "contains",
): Promise<{ id: { in: string[] } }> {
  let rows: { id: string }[];
  if (providerOf(db) === "postgresql") {
    const json = JSON.stringify(value);
    rows =
      match === "contains"
        ? await db.$queryRawUnsafe(`SELECT "id" FROM "Application" WHERE "metadata"->$1 @> $2::jsonb`, key, `[${json}]`)
        : await db.$queryRawUnsafe(`SELECT "id" FROM "Application" WHERE "metadata"->$1 = $2::jsonb`, key, json);
  } else {
    const path = `$.${JSON.stringify(key)}`;
    const stored = typeof value === "boolean" ? Number(value) : value;
    rows =
      match === "contains"
        ? await db.$queryRawUnsafe(
            `SELECT "id" FROM "Application" WHERE EXISTS (SELECT 1 FROM json_each("metadata", ?) WHERE value = ?)`,
            path,
            stored,
          )
        : await db.$queryRawUnsafe(
            `SELECT "id" FROM "Application" WHERE json_extract("metadata", ?) = ?`,
            path,
            stored,
          );
  }
  return { id: { in: rows.map((row) => row.id) } };
}

// One client per process, kept on globalThis so Next's dev-mode module reloads reuse it.
const holder = globalThis as typeof globalThis & { portcullisDatabase?: Database };

function database(): Database {
  if (!holder.portcullisDatabase) {
    const target = parseDatabaseUrl(settings().databaseUrl);
    holder.portcullisDatabase = { db: connect(target), target };
  }
  return holder.portcullisDatabase;
}

/** The process-wide Prisma client. */
export function db(): Db {
  return database().db;
}

/** Closes the process-wide client, if one was made: the SQLite connection and its checkpointer, or the pool. */
export async function closeDatabase(): Promise<void> {
  const open = holder.portcullisDatabase;
  if (!open) return;
  holder.portcullisDatabase = undefined;
  await open.db.$disconnect();
}

/** The PostgreSQL pool's connections (open, idle, requests waiting for one); undefined on SQLite. */
export function poolStatsOf(db: Db): { total: number; idle: number; waiting: number } | undefined {
  const driver = handleOf(db)?.driver;
  if (driver?.provider !== "postgresql") return undefined;
  const { totalCount, idleCount, waitingCount } = driver.pool;
  return { total: totalCount, idle: idleCount, waiting: waitingCount };
}
