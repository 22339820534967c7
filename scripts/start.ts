/**
 * `npm start`: prepares the database (pending migrations, first admin, generated secrets, signing
 * keys) once and then serves the production build on HOST:PORT (server.ts: Next.js, with the
 * protocol endpoints dispatched directly) from PORTCULLIS_WORKERS processes (default: one per core
 * available). With 1, this process serves; with more, it becomes the cluster's primary
 * (lib/cluster/supervisor.ts) and runs this same file again as each worker, which only serves.
 * SIGTERM or SIGINT stops it gracefully (server.ts stop, in every worker), within
 * PORTCULLIS_SHUTDOWN_TIMEOUT. A start that fails says why in one line
 * (lib/setup/startup-errors.ts) and exits with 1.
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
import { isPortcullisMessage, tellPrimary, workerRole, type PrimaryMessage } from "../lib/cluster/worker.ts";
import { superviseWorkers } from "../lib/cluster/supervisor.ts";
import { shareMetricsWithPrimary } from "../lib/metrics/metrics.ts";
import type { RunningServer } from "../server.ts";

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

/**
 * Serves in this process until SIGTERM or SIGINT (or, in a worker, the primary's word). The
 * signals are handled from the start: one that comes while Next is still being prepared (the
 * group's signal to a worker still starting) ends the process with 0 at once, as nothing is served
 * yet.
 */
async function serve(onListening: () => void, onStartFailure: (reason: string) => never): Promise<void> {
  let running: RunningServer | undefined;
  let stopping = false;
  const stop = (signal: string) => {
    // npm and a terminal's Ctrl-C both pass the signal on to the whole process group (the workers
    // included), so it can arrive twice: the shutdown timeout, not a second signal, bounds the wait.
    if (stopping) return;
    stopping = true;
    if (!running) {
      log().info({ signal }, "stopped before listening");
      process.exit(0);
    }
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
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => stop(signal));
  if (workerRole()) {
    process.on("message", (message: unknown) => {
      if (isPortcullisMessage<PrimaryMessage>(message) && message.portcullis === "stop") stop("primary");
    });
    // The primary is gone (killed): nobody will restart or stop this worker, so it stops now.
    process.on("disconnect", () => stop("primary gone"));
  }

  const { startServer } = await import("../server.ts");
  running = await startServer({ port: config.port, hostname: config.host }).catch((error: unknown) =>
    onStartFailure(explainStartupError(error, config)),
  );
  onListening();
}

if (workerRole()) {
  // A worker: the primary did the start-up work. Answer the primary's metrics requests from now
  // on, even before listening, so a scrape never waits on a starting worker.
  shareMetricsWithPrimary();
  const failAtStart = (reason: string): never => {
    // The primary says it, once for all workers.
    tellPrimary({ portcullis: "startup-failed", message: reason });
    process.exit(1);
  };
  try {
    await loadExtensions();
  } catch (error) {
    failAtStart(explainStartupError(error, config));
  }
  await serve(() => tellPrimary({ portcullis: "ready" }), failAtStart);
} else {
  try {
    // The deployer's extensions (portcullis.config.ts, or PORTCULLIS_CONFIG), before anything reads them.
    await loadExtensions();
    for (const line of describePrepared(await prepare(config))) if (line) log().info(line);
  } catch (error) {
    fail(explainStartupError(error, config));
  }
  if (!existsSync(path.join(projectRoot, ".next", "BUILD_ID")))
    fail("No production build found: run `npm run build` first.");

  // next-auth reads its two variables (the workers inherit them).
  process.env.NEXTAUTH_URL ??= config.publicUrl;
  process.env.NEXTAUTH_SECRET ??= sessionSecret(config);
  process.env.NEXT_TELEMETRY_DISABLED ??= "1";
  const listening = (workers: number) =>
    log().info(
      { url: config.publicUrl, port: config.port, host: config.host ?? "*", workers },
      `Portcullis is listening on ${config.publicUrl} (port ${config.port}${workers > 1 ? `, ${workers} workers` : ""})`,
    );
  if (config.workers === 1) {
    await serve(() => listening(1), fail);
  } else {
    const supervisor = superviseWorkers({
      workers: config.workers,
      shutdownTimeout: config.shutdownTimeout,
      log: log(),
      onListening: () => listening(config.workers),
    });
    let stopping = false;
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.on(signal, () => {
        if (stopping) return;
        stopping = true;
        void supervisor.stop(signal).then((code) => {
          if (code === 0) log().info("stopped");
          process.exit(code);
        });
      });
    }
  }
}
