/**
 * Whether an error means the database cannot be reached just now (down, restarting, refusing
 * connections, locked beyond the busy timeout), rather than that the request or the code is wrong.
 * Every edge answers such an error as temporary: 503 with Retry-After and `temporarily_unavailable`
 * (RFC 6749 §4.1.2.1, §5.2 via RFC 6749's error registry) on the protocol endpoints, the same error
 * on the authorize redirect, a "try again" page in the dashboard, so clients retry rather than fail.
 *
 * Errors arrive in several shapes: Prisma's (a P1xxx code, or the driver adapter's error kind in
 * meta), pg's and better-sqlite3's own (the token endpoint's hot path runs on the drivers), and
 * Node's socket errors. No imports: lib/oauth may use it without depending on lib/db.
 */

/** Seconds a client is asked to wait before trying again (Retry-After). */
export const retryAfterSeconds = 5;

/** Prisma's codes for "cannot reach / lost / timed out talking to the database server". */
const prismaCodes = new Set([
  "P1001", // Can't reach database server
  "P1002", // The database server was reached but timed out
  "P1008", // Operations timed out (SQLite: SQLITE_BUSY past the busy timeout)
  "P1017", // Server has closed the connection
  "P2024", // Timed out fetching a new connection from the connection pool
]);

/** The driver adapters' error kinds (meta.driverAdapterError.cause.kind) that mean the same. */
const adapterKinds = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
  "DatabaseDoesNotExist",
]);

/** Node socket errors: refused, reset, timed out, unresolvable, unroutable. */
const socketCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
]);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), 57P01-57P03 (admin shutdown, crash
 * shutdown, cannot connect now: starting up or shutting down), 53300 (too many connections),
 * 3D000 (the database is gone, e.g. being restored).
 */
const postgresStates = /^(08...|57P0[1-3]|53300|3D000)$/;

/** pg's messages for a connection lost or never made (it gives them no code). */
const pgMessages = [
  "Connection terminated unexpectedly",
  "Connection terminated due to connection timeout",
  "Connection terminated",
  "timeout exceeded when trying to connect",
  "Client has encountered a connection error and is not queryable",
  "Cannot use a pool after calling end on the pool",
];

/** Prisma's interactive transaction could not start in time: the pool or the SQLite queue is stuck. */
const prismaMessages = ["Unable to start a transaction in the given time", "Can't reach database server"];

/** better-sqlite3: SQLITE_BUSY past the busy timeout; the file or its folder cannot be opened. */
const sqliteCodes = /^SQLITE_(BUSY|CANTOPEN|LOCKED)(_|$)/;
const sqliteMessages = ["Cannot open database because the directory does not exist", "unable to open database file"];

function matches(value: Record<string, unknown>): boolean {
  const code = typeof value.code === "string" ? value.code : undefined;
  const message = typeof value.message === "string" ? value.message : "";
  if (code !== undefined) {
    if (prismaCodes.has(code) || socketCodes.has(code) || sqliteCodes.test(code)) return true;
    // A pg error carries its SQLSTATE (and a severity); so does the adapter's "postgres" kind.
    if (postgresStates.test(code) && ("severity" in value || value.kind === "postgres")) return true;
  }
  if (typeof value.kind === "string" && adapterKinds.has(value.kind)) return true;
  if (typeof value.originalCode === "string" && sqliteCodes.test(value.originalCode)) return true;
  return [...pgMessages, ...prismaMessages, ...sqliteMessages].some((known) => message.startsWith(known));
}

export function isDatabaseUnavailable(error: unknown): boolean {
  // Walk what the error wraps: Prisma keeps the adapter's error in meta, which keeps the driver's
  // in cause; Node's AggregateError (one attempt per address) keeps each in errors.
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const value = queue.shift();
    if (typeof value !== "object" || value === null || seen.has(value)) continue;
    seen.add(value);
    const record = value as Record<string, unknown>;
    if (matches(record)) return true;
    const meta = record.meta as Record<string, unknown> | undefined;
    queue.push(record.cause, meta?.driverAdapterError, ...(Array.isArray(record.errors) ? record.errors : []));
  }
  return false;
}
