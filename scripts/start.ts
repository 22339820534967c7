/**
 * `npm start`: prepares the database (pending migrations, first admin) and then serves the
 * production build on HOST:PORT (server.ts: Next.js, with the protocol endpoints dispatched
 * directly). SIGTERM or SIGINT stops it gracefully (server.ts stop), within PORTCULLIS_SHUTDOWN_TIMEOUT.
 * A start that fails says why in one line (lib/setup/startup-errors.ts) and exits with 1.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { sessionSecret } from "../lib/config/secrets.ts";
import { readSettings, type Settings } from "../lib/config/settings.ts";
import { describePrepared, prepare, projectRoot } from "../lib/setup/bootstrap.ts";
import { explainStartupError } from "../lib/setup/startup-errors.ts";
import { loadExtensions } from "../lib/extensions/load.ts";
import { silenceKnownWarnings } from "../lib/log/known-warnings.ts";
import { log, routeConsoleToLogger } from "../lib/log/logger.ts";

// Set before anything logs or Next is loaded: React and Next read NODE_ENV once; so does the logger.
(process.env as Record<string, string>).NODE_ENV = "production";
routeConsoleToLogger();
silenceKnownWarnings();

function fail(message: string): never {
  log().fatal(message);
  process.exit(1);
}

let config: Settings;
try {
  config = readSettings();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
try {
  // The deployer's extensions (portcullis.config.ts, or PORTCULLIS_CONFIG), before anything reads them.
  await loadExtensions();
  for (const line of describePrepared(await prepare(config))) if (line) log().info(line);
} catch (error) {
  fail(explainStartupError(error, config));
}
if (!existsSync(path.join(projectRoot, ".next", "BUILD_ID")))
  fail("No production build found: run `npm run build` first.");

// next-auth reads its two variables.
process.env.NEXTAUTH_URL ??= config.publicUrl;
process.env.NEXTAUTH_SECRET ??= sessionSecret(config);
process.env.NEXT_TELEMETRY_DISABLED ??= "1";
const { startServer } = await import("../server.ts");
const running = await startServer({ port: config.port, hostname: config.host }).catch((error: unknown) =>
  fail(explainStartupError(error, config)),
);
log().info(
  { url: config.publicUrl, port: config.port, host: config.host ?? "*" },
  `Portcullis is listening on ${config.publicUrl} (port ${config.port})`,
);

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    // npm and a terminal's Ctrl-C both pass the signal on to the whole process group, so it can
    // arrive twice: the shutdown timeout, not a second signal, bounds the wait.
    if (stopping) return;
    stopping = true;
    log().info({ signal, timeout_s: config.shutdownTimeout }, "stopping: finishing the requests in flight");
    running.stop(config.shutdownTimeout * 1000).then(
      ({ cutOff }) => {
        if (cutOff > 0)
          log().warn({ cut_off: cutOff }, "requests still in flight at the shutdown timeout were cut off");
        log().info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        log().error({ err: error }, "could not stop cleanly");
        process.exit(1);
      },
    );
  });
}
