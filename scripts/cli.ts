/**
 * The `portcullis` command (package.json bin, bin/portcullis.js) and `npm run cli -- <command>`; the
 * command itself is scripts/cli-run.ts. clear-tokens first takes the CPU priority that suits its
 * database (lib/maintenance/sweep-priority.ts), before the rest loads: loading it costs about three
 * seconds of CPU on a machine the server is serving from.
 */
import { settings } from "../lib/config/settings.ts";
import { parseDatabaseUrl } from "../lib/db/url.ts";
import { lowerPriorityForSweep } from "../lib/maintenance/sweep-priority.ts";

if (process.argv[2] === "clear-tokens") {
  let provider: ReturnType<typeof parseDatabaseUrl>["provider"] | undefined;
  try {
    provider = parseDatabaseUrl(settings().databaseUrl).provider;
  } catch {
    // scripts/cli-run.ts explains a setting it cannot read.
  }
  if (provider !== undefined) lowerPriorityForSweep(provider);
}
await import("./cli-run.ts");
