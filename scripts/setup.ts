/** `npm run setup`: applies migrations, creates secrets and the first admin. Safe to run again. */
import { settings } from "../lib/config/settings.ts";
import { silenceKnownWarnings } from "../lib/log/known-warnings.ts";
import { describePrepared, prepare } from "../lib/setup/bootstrap.ts";
import { explainStartupError } from "../lib/setup/startup-errors.ts";

silenceKnownWarnings();
try {
  for (const line of describePrepared(await prepare(settings()))) console.log(line);
} catch (error) {
  console.error(explainStartupError(error, settings()));
  process.exit(1);
}
