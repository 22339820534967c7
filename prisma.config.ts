/**
 * Prisma CLI configuration. The database provider follows DATABASE_URL, like the app:
 * `postgres(ql)://` selects the generated PostgreSQL schema and its migrations, anything else SQLite.
 */
import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma's CLI spawns a native schema engine it downloads from a CDN our machines cannot reach.
// `prisma generate` only needs the path to exist; see scripts/db/schema-engine-unavailable.sh.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("scripts/db/schema-engine-unavailable.sh");

// env("DATABASE_URL") throws when unset, even for `prisma generate`: read it with a default.
const url = process.env.DATABASE_URL ?? "file:./data/portcullis.db";
const postgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  schema: postgres ? "prisma/postgres/schema.prisma" : "prisma/schema.prisma",
  migrations: { path: postgres ? "prisma/postgres/migrations" : "prisma/migrations" },
  datasource: { url },
});
