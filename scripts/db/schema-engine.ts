/**
 * Prisma's schema engine compiled to WebAssembly, loaded by hand.
 *
 * Why hand-loaded: the Prisma CLI spawns a native `schema-engine` binary that it downloads from
 * Prisma's CDN, which our machines cannot reach. `@prisma/schema-engine-wasm` is the same engine
 * built for WASM, but its ESM entry imports a `.wasm` file, which Node 20 cannot, so we instantiate
 * it here. Used only by developer tooling (authoring migrations, drift checks); the app applies
 * migrations with lib/db/migrate.ts and never loads this.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { DiffParams, SchemaEngine } from "@prisma/schema-engine-wasm";
import type * as GlueModule from "@prisma/schema-engine-wasm/schema_engine_bg";

const require = createRequire(import.meta.url);

type Glue = typeof GlueModule & {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
};

class PanicRegistry {
  message = "";
  get(): string {
    return this.message;
  }
  set_message(message: string): void {
    this.message = `RuntimeError: ${message}`;
  }
}

let gluePromise: Promise<Glue> | undefined;

function loadGlue(): Promise<Glue> {
  gluePromise ??= (async () => {
    const dir = path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg"));
    const glue = (await import("@prisma/schema-engine-wasm/schema_engine_bg")) as Glue;
    (globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY ??= new PanicRegistry();
    const module = new WebAssembly.Module(readFileSync(path.join(dir, "schema_engine_bg.wasm")));
    const imports = { "./schema_engine_bg.js": glue as unknown as WebAssembly.ModuleImports };
    const instance = new WebAssembly.Instance(module, imports);
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return gluePromise;
}

/** An engine with no live database: enough for datamodel-to-datamodel diffs. */
async function detachedEngine(): Promise<SchemaEngine> {
  const glue = await loadGlue();
  // The engine connects on construction; a throwaway in-memory SQLite satisfies it.
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaBetterSqlite3({ url: ":memory:" }));
  return glue.SchemaEngine.new({ datamodels: undefined }, () => {}, adapter);
}

/** The SQL that takes a database from `fromSchema` (null: empty) to `toSchema`. */
export async function diffSchemas(fromSchema: string | null, toSchema: string): Promise<string> {
  const engine = await detachedEngine();
  const target = (schema: string | null): DiffParams["from"] =>
    schema === null
      ? { tag: "empty" }
      : { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schema }] };
  try {
    const result = await engine.diff({
      from: target(fromSchema),
      to: target(toSchema),
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.stdout ?? "";
  } finally {
    engine.free();
  }
}
