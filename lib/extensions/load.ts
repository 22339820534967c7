/**
 * Loads the deployer's config named by PORTCULLIS_CONFIG (a path, relative to the working
 * directory), for processes started with another file than the root portcullis.config.ts: the
 * server (server.ts) and the CLI call this before anything else reads the extensions.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { PortcullisConfig } from "./define.ts";
import { extensions, useExtensions } from "./active.ts";

export async function loadExtensions(file = process.env.PORTCULLIS_CONFIG): Promise<PortcullisConfig> {
  if (!file) return extensions();
  const url = pathToFileURL(path.resolve(file)).href;
  let loaded: { default?: unknown };
  try {
    loaded = (await import(url)) as { default?: unknown };
  } catch (error) {
    throw new Error(`PORTCULLIS_CONFIG: cannot load ${file}: ${error instanceof Error ? error.message : error}`, {
      cause: error,
    });
  }
  if (typeof loaded.default !== "object" || loaded.default === null) {
    throw new Error(`PORTCULLIS_CONFIG: ${file} must export a config as default (export default defineConfig({ … }))`);
  }
  return useExtensions(loaded.default as PortcullisConfig);
}
