/**
 * Applies checked-in migrations without Prisma's native engine, recording them in
 * `_prisma_migrations` exactly as Prisma Migrate does (same table, checksum = sha256 of the
 * migration.sql bytes, applied_steps_count = 1), so `prisma migrate deploy` on a machine that has
 * the engine sees them as applied.
 *
 * Hand-written because the only migrator that ships with Prisma 7 is the native binary, which our
 * machines cannot download. Unlike Prisma, each migration and its record commit in one
 * transaction: a failed migration leaves the database as it was and can be fixed and re-run.
 * Running it again, or from several instances at once, is a no-op once everything is applied.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import type { Db } from "./client.ts";
import type { DatabaseTarget } from "./url.ts";

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  /** Applied migrations whose file changed since (Prisma warns about these too). */
  modified: string[];
}

export class MigrationError extends Error {}

export function readMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) throw new MigrationError(`No migrations folder at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(path.join(dir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    });
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

/** Splits the recorded history into what is done and what must be applied, refusing failed rows. */
function plan(migrations: Migration[], rows: AppliedRow[]): { pending: Migration[]; modified: string[] } {
  const failed = rows.filter((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed.length > 0) {
    throw new MigrationError(
      `Migration ${failed.map((r) => r.migration_name).join(", ")} failed earlier and was left half-applied by ` +
        "another tool. Repair the database, then mark it resolved (`prisma migrate resolve`) before starting.",
    );
  }
  const done = new Map(rows.filter((row) => row.finished_at !== null).map((row) => [row.migration_name, row.checksum]));
  return {
    pending: migrations.filter((m) => !done.has(m.name)),
    modified: migrations.filter((m) => done.has(m.name) && done.get(m.name) !== m.checksum).map((m) => m.name),
  };
}

function failure(migration: Migration, error: unknown): MigrationError {
  const reason = error instanceof Error ? error.message : String(error);
  return new MigrationError(
    `Migration ${migration.name} failed and was rolled back; the database is unchanged. Reason: ${reason}`,
  );
}

const sqliteHistoryTable = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/**
 * Switching a new file to WAL can fail with SQLITE_BUSY without waiting for the busy timeout when
 * two processes do it at the same moment (both hold a shared lock and want to upgrade); retry.
 */
function enableWal(db: Database.Database): void {
  for (let attempt = 1; ; attempt++) {
    try {
      db.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      const busy = (error as { code?: string }).code?.startsWith("SQLITE_BUSY");
      if (!busy || attempt >= 100) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20 + Math.random() * 30);
    }
  }
}

function migrateSqlite(file: string, migrations: Migration[]): MigrationResult {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 30_000 });
  try {
    // WAL lets readers and the single writer proceed together; it persists in the file.
    enableWal(db);
    db.exec(sqliteHistoryTable);
    const applied: string[] = [];
    let modified: string[] = [];
    for (;;) {
      // Prisma's table-rebuild migrations need foreign keys off, and that pragma is a no-op inside a
      // transaction: turn it off first, check integrity before committing, then turn it back on.
      db.pragma("foreign_keys = OFF");
      db.exec("BEGIN IMMEDIATE");
      let migration: Migration | undefined;
      try {
        const rows = db
          .prepare(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`)
          .all() as AppliedRow[];
        const next = plan(migrations, rows);
        modified = next.modified;
        migration = next.pending[0];
        if (!migration) {
          db.exec("COMMIT");
          break;
        }
        const startedAt = Date.now();
        db.exec(migration.sql);
        const violations = db.pragma("foreign_key_check") as unknown[];
        if (violations.length > 0) throw new Error(`${violations.length} foreign key violation(s) after the migration`);
        db.prepare(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES (?, ?, ?, ?, NULL, NULL, ?, 1)`,
        ).run(randomUUID(), migration.checksum, Date.now(), migration.name, startedAt);
        db.exec("COMMIT");
        applied.push(migration.name);
      } catch (error) {
        if (db.inTransaction) db.exec("ROLLBACK");
        throw migration ? failure(migration, error) : error;
      } finally {
        db.pragma("foreign_keys = ON");
      }
    }
    return { applied, modified };
  } finally {
    db.close();
  }
}

/** Prisma Migrate's advisory lock id, so our runs and Prisma's exclude each other. */
const prismaAdvisoryLock = 72707369;

const postgresHistoryTable = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

async function migratePostgres(url: string, migrations: Migration[]): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET client_min_messages = warning");
    await client.query("SELECT pg_advisory_lock($1)", [prismaAdvisoryLock]);
    await client.query(postgresHistoryTable);
    const { rows } = await client.query<AppliedRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const { pending, modified } = plan(migrations, rows);
    const applied: string[] = [];
    for (const migration of pending) {
      const startedAt = new Date();
      try {
        await client.query("BEGIN");
        // No parameters: pg sends it with the simple protocol, which runs every statement in the file.
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
           VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
          [randomUUID(), migration.checksum, migration.name, startedAt],
        );
        await client.query("COMMIT");
        applied.push(migration.name);
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw failure(migration, error);
      }
    }
    return { applied, modified };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [prismaAdvisoryLock]).catch(() => {});
    await client.end();
  }
}

/** The migrations folder for a provider, relative to the project root. */
export function migrationsDirFor(target: DatabaseTarget, projectRoot: string): string {
  return path.join(projectRoot, target.provider === "sqlite" ? "prisma/migrations" : "prisma/postgres/migrations");
}

export async function migrate(target: DatabaseTarget, migrationsDir: string): Promise<MigrationResult> {
  const migrations = readMigrations(migrationsDir);
  return target.provider === "sqlite"
    ? migrateSqlite(target.file, migrations)
    : migratePostgres(target.url, migrations);
}

/** Of the migrations named in `expected`, those the database behind `db` has not finished applying. */
export async function pendingMigrations(db: Db, expected: readonly string[]): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ migration_name: string }[]>(
    `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  const applied = new Set(rows.map((row) => row.migration_name));
  return expected.filter((name) => !applied.has(name));
}
