/**
 * The `portcullis` command, loaded by scripts/cli.ts: see lib/cli/cli.ts. Applies pending migrations
 * first. Its output is the command's alone (log entries go to stderr), so `portcullis … --json`
 * pipes cleanly.
 */
import os from "node:os";
import { settings } from "../lib/config/settings.ts";
import { connect } from "../lib/db/client.ts";
import { migrate, migrationsDirFor } from "../lib/db/migrate.ts";
import { parseDatabaseUrl } from "../lib/db/url.ts";
import { runCli } from "../lib/cli/cli.ts";
import { loadExtensions } from "../lib/extensions/load.ts";
import { silenceKnownWarnings } from "../lib/log/known-warnings.ts";
import { createLogger, log, logOptionsFromEnv, useLogger } from "../lib/log/logger.ts";
import { projectRoot, requireSqliteFolder } from "../lib/setup/bootstrap.ts";
import { explainStartupError } from "../lib/setup/startup-errors.ts";

silenceKnownWarnings();
useLogger(createLogger(logOptionsFromEnv(process.env, process.stderr.isTTY === true), process.stderr));
if (process.argv[2] === "clear-tokens") {
  const priority = os.getPriority();
  log().info({ priority }, `clear-tokens runs at ${priority > 0 ? "below normal" : "normal"} CPU priority`);
}
let target: ReturnType<typeof parseDatabaseUrl>;
try {
  target = parseDatabaseUrl(settings().databaseUrl);
  requireSqliteFolder(target, settings());
  await loadExtensions();
  await migrate(target, migrationsDirFor(target, projectRoot));
} catch (error) {
  console.error(`error: ${explainStartupError(error, settings())}`);
  process.exit(1);
}
const db = connect(target, { backgroundCheckpoints: false });
const code = await runCli(db, process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
await db.$disconnect();
process.exit(code);
