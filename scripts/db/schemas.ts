/** Where each provider's schema and migrations live, and how the PostgreSQL schema is derived. */
import path from "node:path";

export type Provider = "sqlite" | "postgresql";

export const root = path.resolve(import.meta.dirname, "../..");

export const paths = {
  sqliteSchema: path.join(root, "prisma/schema.prisma"),
  postgresSchema: path.join(root, "prisma/postgres/schema.prisma"),
  /** The source schema as of the newest migration: the "from" side of the next migration's diff. */
  migratedSchema: path.join(root, "prisma/migrations/schema.migrated.prisma"),
  migrations: {
    sqlite: path.join(root, "prisma/migrations"),
    postgresql: path.join(root, "prisma/postgres/migrations"),
  } satisfies Record<Provider, string>,
};

const generatedHeader =
  "// GENERATED from prisma/schema.prisma by `npm run db:sync-schema`. Do not edit: edit the source.\n";

/** The PostgreSQL schema: the SQLite source with its provider and client output swapped. */
export function postgresSchemaFrom(sqliteSource: string): string {
  const provider = /provider\s*=\s*"sqlite"/;
  const output = /output\s*=\s*"\.\.\/lib\/generated\/sqlite"/;
  if (!provider.test(sqliteSource) || !output.test(sqliteSource)) {
    throw new Error('prisma/schema.prisma must declare provider = "sqlite" and output = "../lib/generated/sqlite"');
  }
  const body = sqliteSource
    .replace(provider, 'provider = "postgresql"')
    .replace(output, 'output = "../../lib/generated/postgres"');
  return generatedHeader + body;
}

/** A schema for the given provider, from the SQLite source. */
export function schemaFor(provider: Provider, sqliteSource: string): string {
  return provider === "sqlite" ? sqliteSource : postgresSchemaFrom(sqliteSource);
}
