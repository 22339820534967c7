/** Locks that serialize transactions across every process using the database. */
import { providerOf, type Db } from "./client.ts";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/**
 * Holds `key` until `tx` ends: another transaction locking the same key waits, and its next
 * statement sees what this one committed. On SQLite every transaction already holds the database's
 * one write lock from its start (serialized-sqlite.ts begins them IMMEDIATE), so there is nothing
 * to add; on PostgreSQL a transaction-scoped advisory lock on the key's 64-bit hash.
 */
export async function lockForTransaction(db: Db, tx: Tx, key: string): Promise<void> {
  if (providerOf(db) === "sqlite") return;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}
