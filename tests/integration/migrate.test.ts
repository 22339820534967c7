/**
 * lib/db/migrate.ts against real, empty databases: what it applies, how it records it (the way
 * Prisma Migrate does, so Prisma's own engine sees the same history), and what it refuses.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  existsSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "@/lib/db/client";
import { migrate, migrationsDirFor, MigrationError, readMigrations } from "@/lib/db/migrate";
import type { DatabaseTarget } from "@/lib/db/url";
import { projectRoot } from "@/lib/setup/bootstrap";
import { emptyDatabase, providers, type Provider } from "../support/databases.ts";

const run = promisify(execFile);
const uuidV4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface HistoryRow {
  id: string;
  checksum: string;
  finished_at: unknown;
  migration_name: string;
  logs: string | null;
  rolled_back_at: unknown;
  started_at: unknown;
  applied_steps_count: number;
}

/** Runs SQL on the target outside the code under test. Statements without parameters may be several. */
async function query<T = Record<string, unknown>>(
  target: DatabaseTarget,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  if (target.provider === "sqlite") {
    const db = new Database(target.file, { timeout: 10_000 });
    try {
      const statement = db.prepare(sql);
      return statement.reader ? (statement.all(...params) as T[]) : (statement.run(...params), []);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

async function history(target: DatabaseTarget): Promise<HistoryRow[]> {
  return query<HistoryRow>(target, `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
}

async function tableExists(target: DatabaseTarget, table: string): Promise<boolean> {
  const rows =
    target.provider === "sqlite"
      ? await query(target, `SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`, [table])
      : await query(
          target,
          `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name = $1`,
          [table],
        );
  return rows.length === 1;
}

/** Timestamps come back as Date (pg), or as epoch milliseconds or SQL text (SQLite). */
function asDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  if (typeof value === "string")
    return new Date(/^\d+$/.test(value) ? Number(value) : value.replace(" ", "T") + (/[zZ+]/.test(value) ? "" : "Z"));
  throw new Error(`not a timestamp: ${String(value)}`);
}

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "portcullis-migrations-"));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe.each(providers)("migrate on %s", (provider: Provider) => {
  let target: DatabaseTarget;
  let remove: () => Promise<void>;
  const realDir = migrationsDirFor({ provider } as DatabaseTarget, projectRoot);
  const realNames = readdirSync(realDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(realDir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort();

  /** The real migrations copied to a folder of our own, plus the extra ones given (name → SQL). */
  function migrationsWith(extra: Record<string, string> = {}): string {
    const dir = tempDir();
    cpSync(realDir, dir, { recursive: true });
    for (const [name, sql] of Object.entries(extra)) {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, "migration.sql"), sql);
    }
    return dir;
  }

  beforeEach(async () => {
    ({ target, remove } = await emptyDatabase(provider));
  });
  afterEach(async () => {
    await remove();
  });

  it("has migrations to apply", () => {
    expect(realNames.length).toBeGreaterThan(0);
    expect(readMigrations(realDir).map((m) => m.name)).toEqual(realNames);
  });

  it("applies every migration to an empty database and records each as Prisma Migrate does", async () => {
    const before = Date.now();
    const result = await migrate(target, realDir);
    const after = Date.now();

    expect(result).toEqual({ applied: realNames, modified: [] });
    const rows = await history(target);
    expect(rows.map((row) => row.migration_name)).toEqual(realNames);
    for (const row of rows) {
      expect(row.id).toMatch(uuidV4);
      expect(row.checksum).toBe(sha256(path.join(realDir, row.migration_name, "migration.sql")));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(Number(row.applied_steps_count)).toBe(1);
      expect(row.logs).toBeNull();
      expect(row.rolled_back_at).toBeNull();
      expect(row.finished_at).not.toBeNull();
      const started = asDate(row.started_at).getTime();
      const finished = asDate(row.finished_at).getTime();
      // SQL timestamps may be whole seconds; allow for that and nothing more.
      expect(started).toBeGreaterThanOrEqual(before - 1_000);
      expect(finished).toBeLessThanOrEqual(after + 1_000);
      expect(finished).toBeGreaterThanOrEqual(started - 1_000);
    }
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);

    // The schema really is there: the app's own client can read and write it.
    const db = connect(target);
    try {
      await db.user.create({ data: { email: "first@example.com", passwordHash: "x" } });
      expect(await db.user.count()).toBe(1);
      expect(await db.application.count()).toBe(0);
      expect(await db.auditEvent.count()).toBe(0);
    } finally {
      await db.$disconnect();
    }
  });

  it("creates the history table with Prisma's column types", async () => {
    await migrate(target, realDir);
    if (provider === "sqlite") {
      const columns = await query<{ name: string; type: string; notnull: number; pk: number }>(
        target,
        `PRAGMA table_info("_prisma_migrations")`,
      );
      expect(Object.fromEntries(columns.map((c) => [c.name, c.type.toUpperCase()]))).toEqual({
        id: "TEXT",
        checksum: "TEXT",
        finished_at: "DATETIME",
        migration_name: "TEXT",
        logs: "TEXT",
        rolled_back_at: "DATETIME",
        started_at: "DATETIME",
        applied_steps_count: "INTEGER UNSIGNED",
      });
      expect(columns.find((c) => c.name === "id")?.pk).toBe(1);
    } else {
      const columns = await query<{ column_name: string; data_type: string; character_maximum_length: number | null }>(
        target,
        `SELECT column_name, data_type, character_maximum_length FROM information_schema.columns WHERE table_name = '_prisma_migrations'`,
      );
      expect(
        Object.fromEntries(columns.map((c) => [c.column_name, [c.data_type, c.character_maximum_length]])),
      ).toEqual({
        id: ["character varying", 36],
        checksum: ["character varying", 64],
        finished_at: ["timestamp with time zone", null],
        migration_name: ["character varying", 255],
        logs: ["text", null],
        rolled_back_at: ["timestamp with time zone", null],
        started_at: ["timestamp with time zone", null],
        applied_steps_count: ["integer", null],
      });
    }
  });

  it("does nothing when run again", async () => {
    await migrate(target, realDir);
    const first = await history(target);
    const second = await migrate(target, realDir);
    expect(second).toEqual({ applied: [], modified: [] });
    expect(await history(target)).toEqual(first);
  });

  it("applies each migration exactly once when two runs start at the same time", async () => {
    const dir = migrationsWith({
      "29990101000001_extra_a": `CREATE TABLE "ExtraA" ("id" INTEGER NOT NULL PRIMARY KEY);`,
      "29990101000002_extra_b": `CREATE TABLE "ExtraB" ("id" INTEGER NOT NULL PRIMARY KEY);`,
      "29990101000003_extra_c": `CREATE TABLE "ExtraC" ("id" INTEGER NOT NULL PRIMARY KEY);`,
    });
    const all = readMigrations(dir).map((m) => m.name);
    const results = await Promise.all([migrate(target, dir), migrate(target, dir)]);
    const applied = results.flatMap((result) => result.applied);
    expect(applied.sort()).toEqual(all);
    expect((await history(target)).map((row) => row.migration_name)).toEqual(all);
    for (const table of ["ExtraA", "ExtraB", "ExtraC"]) expect(await tableExists(target, table)).toBe(true);
  });

  it("applies each migration exactly once when two processes migrate at the same time", async () => {
    const dir = migrationsWith({
      "29990101000001_extra_a": `CREATE TABLE "ExtraA" ("id" INTEGER NOT NULL PRIMARY KEY);`,
      "29990101000002_extra_b": `CREATE TABLE "ExtraB" ("id" INTEGER NOT NULL PRIMARY KEY);`,
    });
    const script = path.join(tempDir(), "run-migrate.mts");
    writeFileSync(
      script,
      `import { migrate } from ${JSON.stringify(path.join(projectRoot, "lib/db/migrate.ts"))};\n` +
        `const result = await migrate(JSON.parse(process.argv[2]), process.argv[3]);\n` +
        `process.stdout.write(JSON.stringify(result));\n`,
    );
    if (target.provider === "sqlite") {
      // Start from a file already in WAL mode, as after any earlier start. Two processes switching a
      // brand-new file to WAL at the same instant is a separate, reported race (SQLITE_BUSY).
      const db = new Database(target.file);
      db.pragma("journal_mode = WAL");
      db.close();
    }
    const spawn = () =>
      run(process.execPath, ["--import", "tsx", script, JSON.stringify(target), dir], {
        cwd: projectRoot,
        timeout: 60_000,
      });
    const outputs = await Promise.all([spawn(), spawn()]);
    const applied = outputs.flatMap(({ stdout }) => (JSON.parse(stdout) as { applied: string[] }).applied);
    const all = readMigrations(dir).map((m) => m.name);
    expect(applied.sort()).toEqual(all);
    expect((await history(target)).map((row) => row.migration_name)).toEqual(all);
  });

  describe("a migration that fails", () => {
    const broken = `CREATE TABLE "Broken" ("id" INTEGER NOT NULL PRIMARY KEY);\nINSERT INTO "Missing" ("id") VALUES (1);\n`;

    it("throws a MigrationError naming it, and leaves no trace of it", async () => {
      await migrate(target, realDir);
      const db = connect(target);
      try {
        const app = await db.application.create({
          data: {
            clientId: "kept-client",
            name: "Kept",
            clientType: "PUBLIC",
            grantTypes: { create: [{ grantType: "authorization_code" }] },
          },
        });
        await db.user.create({ data: { email: "kept@example.com", passwordHash: "x" } });
        expect(app.id).toBeTruthy();
      } finally {
        await db.$disconnect();
      }
      const before = await history(target);

      const name = "29990101000000_broken";
      const dir = migrationsWith({ [name]: broken });
      const error = await migrate(target, dir).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toContain(name);
      expect((error as Error).message).toMatch(/rolled back/);
      // The database's own reason is passed on.
      expect((error as Error).message).toContain("Missing");

      expect(await tableExists(target, "Broken")).toBe(false);
      expect(await history(target)).toEqual(before);
      const check = connect(target);
      try {
        expect(await check.user.findUnique({ where: { email: "kept@example.com" } })).not.toBeNull();
        const kept = await check.application.findUnique({
          where: { clientId: "kept-client" },
          include: { grantTypes: true },
        });
        expect(kept?.grantTypes.map((g) => g.grantType)).toEqual(["authorization_code"]);
      } finally {
        await check.$disconnect();
      }
    });

    it("keeps the migrations before it, and can be fixed and re-run", async () => {
      const good = "29990101000001_good";
      const bad = "29990101000002_bad";
      const dir = migrationsWith({ [good]: `CREATE TABLE "Good" ("id" INTEGER NOT NULL PRIMARY KEY);`, [bad]: broken });
      await expect(migrate(target, dir)).rejects.toThrow(bad);
      expect((await history(target)).map((row) => row.migration_name)).toEqual([...realNames, good]);
      expect(await tableExists(target, "Good")).toBe(true);
      expect(await tableExists(target, "Broken")).toBe(false);

      writeFileSync(
        path.join(dir, bad, "migration.sql"),
        `CREATE TABLE "Broken" ("id" INTEGER NOT NULL PRIMARY KEY);\n`,
      );
      expect(await migrate(target, dir)).toEqual({ applied: [bad], modified: [] });
      expect(await tableExists(target, "Broken")).toBe(true);
      const rows = await history(target);
      expect(rows.map((row) => row.migration_name)).toEqual([...realNames, good, bad]);
      expect(rows.at(-1)?.checksum).toBe(sha256(path.join(dir, bad, "migration.sql")));
    });

    it("is refused when it would leave a row pointing at nothing", async () => {
      await migrate(target, realDir);
      const name = "29990101000000_orphan";
      const dir = migrationsWith({
        [name]: `INSERT INTO "ApplicationGrantType" ("applicationId", "grantType") VALUES ('no-such-application', 'password');`,
      });
      await expect(migrate(target, dir)).rejects.toThrow(MigrationError);
      await expect(migrate(target, dir)).rejects.toThrow(name);
      expect(await query(target, `SELECT * FROM "ApplicationGrantType"`)).toEqual([]);
      expect((await history(target)).map((row) => row.migration_name)).toEqual(realNames);
    });
  });

  it("reports a migration whose file changed after it was applied, without re-applying it", async () => {
    const dir = migrationsWith();
    await migrate(target, dir);
    const before = await history(target);
    const edited = realNames.at(-1)!;
    appendFileSync(path.join(dir, edited, "migration.sql"), "\n-- edited after it was applied\n");

    expect(await migrate(target, dir)).toEqual({ applied: [], modified: [edited] });
    // The recorded checksum stays the one that was applied.
    expect(await history(target)).toEqual(before);
    // Restoring the file makes the warning go away.
    cpSync(path.join(realDir, edited), path.join(dir, edited), { recursive: true });
    expect(await migrate(target, dir)).toEqual({ applied: [], modified: [] });
  });

  describe("a failed record left by Prisma Migrate", () => {
    const pending = "29990101000000_pending";
    const insertFailed = (target: DatabaseTarget, checksum: string) =>
      target.provider === "sqlite"
        ? query(
            target,
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
             VALUES (?, ?, NULL, ?, 'error: boom', NULL, ?, 0)`,
            ["5f0c4f5e-0000-4000-8000-000000000001", checksum, pending, Date.now()],
          )
        : query(
            target,
            `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
             VALUES ($1, $2, NULL, $3, 'error: boom', NULL, now(), 0)`,
            ["5f0c4f5e-0000-4000-8000-000000000001", checksum, pending],
          );

    it("makes migrate refuse to run, naming the migration", async () => {
      const dir = migrationsWith({ [pending]: `CREATE TABLE "Pending" ("id" INTEGER NOT NULL PRIMARY KEY);` });
      await migrate(target, realDir);
      await insertFailed(target, sha256(path.join(dir, pending, "migration.sql")));

      const error = await migrate(target, dir).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toContain(pending);
      expect(await tableExists(target, "Pending")).toBe(false);
      // Even with nothing pending in the folder, the half-applied database is refused.
      await expect(migrate(target, realDir)).rejects.toThrow(MigrationError);
    });

    it("is applied again once marked rolled back", async () => {
      const dir = migrationsWith({ [pending]: `CREATE TABLE "Pending" ("id" INTEGER NOT NULL PRIMARY KEY);` });
      await migrate(target, realDir);
      await insertFailed(target, sha256(path.join(dir, pending, "migration.sql")));
      await query(
        target,
        provider === "sqlite"
          ? `UPDATE "_prisma_migrations" SET rolled_back_at = ${Date.now()} WHERE migration_name = '${pending}'`
          : `UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${pending}'`,
      );

      expect(await migrate(target, dir)).toEqual({ applied: [pending], modified: [] });
      expect(await tableExists(target, "Pending")).toBe(true);
      const rows = (await history(target)).filter((row) => row.migration_name === pending);
      expect(rows).toHaveLength(2);
      expect(rows.filter((row) => row.finished_at !== null && row.rolled_back_at === null)).toHaveLength(1);
    });
  });

  it("refuses a folder that does not exist", async () => {
    await expect(migrate(target, path.join(tempDir(), "nowhere"))).rejects.toThrow(MigrationError);
  });

  it("ignores folders without a migration.sql and files at the top level", async () => {
    const dir = migrationsWith();
    mkdirSync(path.join(dir, "29990101000000_empty"));
    writeFileSync(path.join(dir, "notes.sql"), "THIS IS NOT SQL");
    expect(await migrate(target, dir)).toEqual({ applied: realNames, modified: [] });
  });

  if (provider === "sqlite") {
    it("leaves the database in WAL mode", async () => {
      await migrate(target, realDir);
      if (target.provider !== "sqlite") throw new Error("unreachable");
      const db = new Database(target.file);
      try {
        expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
      } finally {
        db.close();
      }
    });

    it("creates the database file's folder when it is missing", async () => {
      if (target.provider !== "sqlite") throw new Error("unreachable");
      const nested: DatabaseTarget = {
        provider: "sqlite",
        file: path.join(path.dirname(target.file), "a", "b", "nested.db"),
      };
      expect(await migrate(nested, realDir)).toEqual({ applied: realNames, modified: [] });
      expect(existsSync(nested.file)).toBe(true);
    });

    it("keeps child rows through a table-rebuild migration (foreign keys off while it runs)", async () => {
      await migrate(target, realDir);
      if (target.provider !== "sqlite") throw new Error("unreachable");
      const db = connect(target);
      let appId: string;
      try {
        const owner = await db.user.create({ data: { email: "owner@example.com", passwordHash: "x" } });
        const app = await db.application.create({
          data: {
            clientId: "rebuilt-client",
            name: "Rebuilt",
            clientType: "CONFIDENTIAL",
            ownerId: owner.id,
            grantTypes: { create: [{ grantType: "authorization_code" }, { grantType: "refresh_token" }] },
            uris: { create: [{ kind: "REDIRECT", uri: "https://rebuilt.example.com/cb" }] },
            scopes: { create: [{ scope: "openid" }] },
          },
        });
        appId = app.id;
      } finally {
        await db.$disconnect();
      }

      // Prisma's shape for redefining a table on SQLite (as `migrate dev` writes it for most ALTERs).
      const raw = new Database(target.file);
      const tableSql = (
        raw.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'Application'`).get() as {
          sql: string;
        }
      ).sql;
      const indexSql = (
        raw
          .prepare(
            `SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'Application' AND sql IS NOT NULL`,
          )
          .all() as { sql: string }[]
      ).map((r) => r.sql);
      const columns = (raw.prepare(`PRAGMA table_info("Application")`).all() as { name: string }[])
        .map((c) => `"${c.name}"`)
        .join(", ");
      raw.close();
      const rebuild = [
        "-- RedefineTables",
        "PRAGMA defer_foreign_keys=ON;",
        "PRAGMA foreign_keys=OFF;",
        `${tableSql.replace('CREATE TABLE "Application"', 'CREATE TABLE "new_Application"')};`,
        `INSERT INTO "new_Application" (${columns}) SELECT ${columns} FROM "Application";`,
        `DROP TABLE "Application";`,
        `ALTER TABLE "new_Application" RENAME TO "Application";`,
        ...indexSql.map((sql) => `${sql};`),
        "PRAGMA foreign_keys=ON;",
        "PRAGMA defer_foreign_keys=OFF;",
        "",
      ].join("\n");
      expect(tableSql).toContain('CREATE TABLE "Application"');
      const name = "29990101000000_rebuild_application";
      const dir = migrationsWith({ [name]: rebuild });

      expect(await migrate(target, dir)).toEqual({ applied: [name], modified: [] });
      const check = connect(target);
      try {
        const app = await check.application.findUnique({
          where: { id: appId },
          include: { grantTypes: true, uris: true, scopes: true },
        });
        expect(app?.ownerId).not.toBeNull();
        expect(app?.grantTypes).toHaveLength(2);
        expect(app?.uris).toHaveLength(1);
        expect(app?.scopes).toHaveLength(1);
      } finally {
        await check.$disconnect();
      }
      const after = new Database(target.file);
      try {
        expect(after.pragma("foreign_key_check")).toEqual([]);
        expect(
          (after.prepare(`SELECT sql FROM sqlite_master WHERE name = 'Application'`).get() as { sql: string }).sql,
        ).toBe(tableSql);
      } finally {
        after.close();
      }
    });
  }
});
