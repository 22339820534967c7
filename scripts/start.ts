/**
 * `npm start`: prepares the database (pending migrations, first admin) and then serves the
 * production build on PORT (server.ts: Next.js, with the protocol endpoints dispatched directly).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { sessionSecret } from "../lib/config/secrets.ts";
import { settings } from "../lib/config/settings.ts";
import { MigrationError } from "../lib/db/migrate.ts";
import { describePrepared, prepare, projectRoot } from "../lib/setup/bootstrap.ts";
import { loadExtensions } from "../lib/extensions/load.ts";

const config = settings();
if (!existsSync(path.join(projectRoot, ".next", "BUILD_ID"))) {
  console.error("No production build found: run `npm run build` first.");
  process.exit(1);
}
try {
  // The deployer's extensions (portcullis.config.ts, or PORTCULLIS_CONFIG), before anything reads them.
  await loadExtensions();
  for (const line of describePrepared(await prepare(config))) console.log(line);
} catch (error) {
  console.error(error instanceof MigrationError || error instanceof Error ? error.message : error);
  process.exit(1);
}

// Set before Next is loaded: React and Next read NODE_ENV once; next-auth reads its two variables.
(process.env as Record<string, string>).NODE_ENV = "production";
process.env.NEXTAUTH_URL ??= config.publicUrl;
process.env.NEXTAUTH_SECRET ??= sessionSecret(config);
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
const { startServer } = await import("../server.ts");
await startServer({ port: config.port });
console.log(`Portcullis is listening on ${config.publicUrl} (port ${config.port})`);
