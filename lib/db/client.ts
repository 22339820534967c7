/**
 * The Prisma client for this process, chosen by DATABASE_URL. Each provider has its own generated
 * client (a generated client is bound to its provider); both come from one schema, so they share
 * one shape and the rest of the code sees a single `Db` type.
 */
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresClient } from "../generated/postgres/client.ts";
import { PrismaClient as SqliteClient } from "../generated/sqlite/client.ts";
import { settings } from "../config/settings.ts";
import { parseDatabaseUrl, type DatabaseTarget } from "./url.ts";

export type Db = SqliteClient;
export type { DatabaseTarget };

export interface Database {
  db: Db;
  target: DatabaseTarget;
}

const providers = new WeakMap<Db, DatabaseTarget["provider"]>();

export function connect(target: DatabaseTarget): Db {
  const client =
    target.provider === "sqlite"
      ? // better-sqlite3's `timeout` is SQLite's busy timeout: wait for another process's write lock.
        new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: target.file, timeout: 10_000 }) })
      : (new PostgresClient({ adapter: new PrismaPg({ connectionString: target.url }) }) as unknown as Db);
  providers.set(client, target.provider);
  return client;
}

/**
 * A case-insensitive substring filter. SQLite's LIKE already ignores ASCII case; PostgreSQL needs
 * Prisma's `mode: "insensitive"`, which the SQLite client's types do not know.
 */
export function containsText(db: Db, value: string): { contains: string } {
  return providers.get(db) === "postgresql"
    ? ({ contains: value, mode: "insensitive" } as { contains: string })
    : { contains: value };
}

// One client per process, kept on globalThis so Next's dev-mode module reloads reuse it.
const holder = globalThis as typeof globalThis & { portcullisDatabase?: Database };

export function database(): Database {
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
