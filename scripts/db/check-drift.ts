/**
 * Fails (exit 1) when the schemas and migrations disagree: the PostgreSQL schema is not the one
 * generated from the source, or the source changed without a migration for it.
 */
import { existsSync, readFileSync } from "node:fs";
import { diffSchemas } from "./schema-engine.ts";
import { paths, postgresSchemaFrom, schemaFor, type Provider } from "./schemas.ts";

const problems: string[] = [];
const source = readFileSync(paths.sqliteSchema, "utf8");
const postgres = existsSync(paths.postgresSchema) ? readFileSync(paths.postgresSchema, "utf8") : "";
if (postgres !== postgresSchemaFrom(source)) {
  problems.push("prisma/postgres/schema.prisma is out of date: run `npm run db:sync-schema`.");
}
const migrated = existsSync(paths.migratedSchema) ? readFileSync(paths.migratedSchema, "utf8") : null;
for (const provider of ["sqlite", "postgresql"] as Provider[]) {
  const sql = await diffSchemas(migrated === null ? null : schemaFor(provider, migrated), schemaFor(provider, source));
  if (sql.trim() !== "" && !/^-- This is an empty migration\.?$/.test(sql.trim())) {
    problems.push(
      `prisma/schema.prisma has changes no ${provider} migration covers: run \`npm run db:new-migration -- <name>\`.\n${sql}`,
    );
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("schemas and migrations agree");
