/**
 * Real databases for integration tests: a fresh SQLite file, or a fresh PostgreSQL database on the
 * local server, each migrated with the app's own migrator and dropped afterwards.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { connect, type Db } from "@/lib/db/client";
import { migrate, migrationsDirFor } from "@/lib/db/migrate";
import type { DatabaseTarget } from "@/lib/db/url";
import { builtInScopes } from "@/lib/oauth/scope";
import { seedScopeCatalogue } from "@/lib/scopes/catalogue";
import { projectRoot } from "@/lib/setup/bootstrap";

export const providers = ["sqlite", "postgresql"] as const;
export type Provider = (typeof providers)[number];

export const postgresAdminUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  db: Db;
  target: DatabaseTarget;
  drop(): Promise<void>;
}

function postgresUrlFor(database: string): string {
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** An empty, unmigrated database and a way to remove it. */
export async function emptyDatabase(provider: Provider): Promise<{ target: DatabaseTarget; remove(): Promise<void> }> {
  if (provider === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "portcullis-test-"));
    return {
      target: { provider, file: path.join(dir, "test.db") },
      remove: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `portcullis_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  return {
    target: { provider, url: postgresUrlFor(name) },
    remove: async () => {
      const client = new pg.Client({ connectionString: postgresAdminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** A migrated database with a connected Prisma client and the built-in scopes, as after start-up. */
export async function freshDatabase(provider: Provider): Promise<TestDatabase> {
  const { target, remove } = await emptyDatabase(provider);
  await migrate(target, migrationsDirFor(target, projectRoot));
  const db = connect(target);
  await seedScopeCatalogue(db, builtInScopes);
  return {
    db,
    target,
    drop: async () => {
      await db.$disconnect();
      await remove();
    },
  };
}
