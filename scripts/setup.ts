/** `npm run setup`: applies migrations, creates secrets and the first admin. Safe to run again. */
import { settings } from "../lib/config/settings.ts";
import { MigrationError } from "../lib/db/migrate.ts";
import { describePrepared, prepare } from "../lib/setup/bootstrap.ts";

try {
  for (const line of describePrepared(await prepare(settings()))) console.log(line);
} catch (error) {
  console.error(error instanceof MigrationError ? error.message : error);
  process.exit(1);
}
