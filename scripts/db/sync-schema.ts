/** Regenerates prisma/postgres/schema.prisma from the source schema. */
import { readFileSync, writeFileSync } from "node:fs";
import { paths, postgresSchemaFrom } from "./schemas.ts";

writeFileSync(paths.postgresSchema, postgresSchemaFrom(readFileSync(paths.sqliteSchema, "utf8")));
console.log("wrote prisma/postgres/schema.prisma");
