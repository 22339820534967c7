/** `npm run cli -- <command>`: see lib/cli/cli.ts. Applies pending migrations first. */
import { settings } from "../lib/config/settings.ts";
import { connect } from "../lib/db/client.ts";
import { migrate, migrationsDirFor, MigrationError } from "../lib/db/migrate.ts";
import { parseDatabaseUrl } from "../lib/db/url.ts";
import { runCli } from "../lib/cli/cli.ts";
import { loadExtensions } from "../lib/extensions/load.ts";
import { projectRoot } from "../lib/setup/bootstrap.ts";

const target = parseDatabaseUrl(settings().databaseUrl);
try {
  await loadExtensions();
  await migrate(target, migrationsDirFor(target, projectRoot));
} catch (error) {
  console.error(error instanceof MigrationError || error instanceof Error ? error.message : error);
  process.exit(1);
}
const db = connect(target);
const code = await runCli(db, process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
});
await db.$disconnect();
process.exit(code);
