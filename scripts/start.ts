/**
 * `npm start`: prepares the database (pending migrations, first admin) and then serves the
 * production build with `next start` on PORT.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { sessionSecret } from "../lib/config/secrets.ts";
import { settings } from "../lib/config/settings.ts";
import { MigrationError } from "../lib/db/migrate.ts";
import { describePrepared, prepare, projectRoot } from "../lib/setup/bootstrap.ts";

const config = settings();
if (!existsSync(path.join(projectRoot, ".next", "BUILD_ID"))) {
  console.error("No production build found: run `npm run build` first.");
  process.exit(1);
}
try {
  for (const line of describePrepared(await prepare(config))) console.log(line);
} catch (error) {
  console.error(error instanceof MigrationError ? error.message : error);
  process.exit(1);
}

const next = spawn(
  process.execPath,
  [path.join(projectRoot, "node_modules/next/dist/bin/next"), "start", "--port", String(config.port), ...process.argv.slice(2)],
  {
    stdio: "inherit",
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      NEXTAUTH_URL: config.publicUrl,
      NEXTAUTH_SECRET: sessionSecret(config),
    },
  },
);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => next.kill(signal));
next.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
console.log(`Portcullis is starting on ${config.publicUrl}`);
