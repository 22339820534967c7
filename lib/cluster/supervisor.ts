/**
 * The primary process of `npm start` when PORTCULLIS_WORKERS > 1: after the start-up work (done
 * once, by the caller: migrations, the first admin, generated secrets, signing keys), it forks the
 * workers with Node's cluster module, which share one listening port (the primary accepts the
 * connections and hands them out in turn), and looks after them:
 *
 * - A worker that fails before it listens during the first start ends the whole server with the
 *   worker's one-line reason (lib/setup/startup-errors.ts) and exit code 1: the next worker would
 *   fail the same way (a port in use), and a supervisor restarting the server should see it fail.
 * - A worker that dies while serving is replaced in its slot, after a back-off that doubles with
 *   each death of that slot in a row (250 ms up to 30 s; a worker that served for a minute resets
 *   it), each death and restart logged. A replacement that fails to start `maxStartFailures` times
 *   in a row ends the server with its reason.
 * - SIGTERM or SIGINT stops every worker gracefully (each finishes its requests in flight within
 *   PORTCULLIS_SHUTDOWN_TIMEOUT, writes its usage counts and closes its database), then the primary
 *   exits 0; 1 if a worker could not stop cleanly. A worker that has not exited some seconds past
 *   the timeout is killed.
 * - It relays broadcasts between workers (lib/cluster/worker.ts) and answers a worker's request for
 *   the metrics of all workers (prom-client's AggregatorRegistry sums them), so one /metrics scrape,
 *   whichever worker answers it, covers the whole server.
 *
 * The primary serves no request itself and loads neither Next nor a database connection.
 */
import cluster, { type Worker } from "node:cluster";
import { AggregatorRegistry } from "prom-client";
import type { Logger } from "../log/logger.ts";
import { isPortcullisMessage, workerSlotVariable, type PrimaryMessage, type WorkerMessage } from "./worker.ts";

export interface SupervisorOptions {
  workers: number;
  /** Seconds each worker may take to finish its requests in flight (PORTCULLIS_SHUTDOWN_TIMEOUT). */
  shutdownTimeout: number;
  log: Logger;
  /** Once every worker listens (the first time). */
  onListening?: () => void;
  /** Ends the process: `code` 1 with `reason` (logged as fatal) when the server cannot serve. */
  exit?: (code: number, reason?: string) => void;
}

/** Restarts of one slot in a row that fail before listening, after which the server gives up. */
export const maxStartFailures = 3;
const firstBackoffMs = 250;
const maxBackoffMs = 30_000;
/** A worker that served this long before it died starts its slot's back-off over. */
const stableAfterMs = 60_000;
/** Past the shutdown timeout, how long a stopping worker may still take before it is killed. */
const killGraceMs = 5_000;

interface Slot {
  slot: number;
  worker?: Worker;
  ready: boolean;
  startedAt: number;
  /** Deaths in a row (back-off), and restarts in a row that never listened. */
  deaths: number;
  startFailures: number;
  /** The reason the current worker gave for failing to start. */
  failure?: string;
  restart?: NodeJS.Timeout;
}

export interface Supervisor {
  /** Stops every worker gracefully; resolves with the exit code the primary should end with. */
  stop(signal: string): Promise<number>;
}

export function superviseWorkers({
  workers,
  shutdownTimeout,
  log,
  onListening = () => {},
  exit = (code, reason) => {
    if (reason) log.fatal(reason);
    process.exit(code);
  },
}: SupervisorOptions): Supervisor {
  const slots: Slot[] = Array.from({ length: workers }, (_, index) => ({
    slot: index + 1,
    ready: false,
    startedAt: 0,
    deaths: 0,
    startFailures: 0,
  }));
  /** Every slot has listened once: from then on, deaths are restarted. */
  let started = false;
  let stopping: Promise<number> | undefined;
  let ended = false;
  const aggregator = new AggregatorRegistry();

  const send = (worker: Worker, message: PrimaryMessage) => {
    if (worker.isConnected()) worker.send(message);
  };

  function fork(entry: Slot): void {
    entry.ready = false;
    entry.failure = undefined;
    entry.startedAt = Date.now();
    const worker = cluster.fork({ [workerSlotVariable]: `${entry.slot}/${workers}` });
    entry.worker = worker;
    worker.on("message", (message: unknown) => onMessage(entry, worker, message));
    worker.on("exit", (code, signal) => onExit(entry, worker, code, signal));
  }

  function onMessage(entry: Slot, worker: Worker, message: unknown): void {
    if (!isPortcullisMessage<WorkerMessage>(message)) return;
    switch (message.portcullis) {
      case "ready":
        entry.ready = true;
        entry.startFailures = 0;
        if (started) log.info({ worker: entry.slot, worker_pid: worker.process.pid }, "worker restarted and listening");
        else if (slots.every((slot) => slot.ready)) {
          started = true;
          onListening();
        }
        break;
      case "startup-failed":
        entry.failure = message.message;
        break;
      case "broadcast":
        for (const other of slots)
          if (other.worker && other.worker !== worker)
            send(other.worker, { portcullis: "broadcast", topic: message.topic, payload: message.payload });
        break;
      case "metrics":
        aggregator.clusterMetrics().then(
          (body) =>
            send(worker, {
              portcullis: "metrics",
              id: message.id,
              body,
              contentType: aggregator.contentType as string,
            }),
          (error: unknown) =>
            send(worker, {
              portcullis: "metrics",
              id: message.id,
              error: error instanceof Error ? error.message : "?",
            }),
        );
        break;
    }
  }

  function giveUp(reason: string): void {
    if (ended) return;
    ended = true;
    for (const entry of slots) {
      clearTimeout(entry.restart);
      if (entry.worker && !entry.worker.isDead()) entry.worker.process.kill("SIGKILL");
    }
    exit(1, reason);
  }

  function onExit(entry: Slot, worker: Worker, code: number | null, signal: string | null): void {
    if (entry.worker !== worker) return;
    entry.worker = undefined;
    if (stopping || ended) return;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (!entry.ready) {
      const reason = entry.failure ?? `A server worker exited (${how}) before it could listen.`;
      // The first start: every worker meets the same problem; say it once and stop.
      if (!started) return giveUp(reason);
      entry.startFailures++;
      if (entry.startFailures >= maxStartFailures) return giveUp(reason);
    }
    if (Date.now() - entry.startedAt >= stableAfterMs) entry.deaths = 0;
    const delay = Math.min(maxBackoffMs, firstBackoffMs * 2 ** entry.deaths);
    entry.deaths++;
    log.warn(
      { worker: entry.slot, worker_pid: worker.process.pid, exit: how, restart_in_ms: delay },
      entry.ready ? "worker died; restarting it" : `worker failed to start (${entry.failure ?? how}); trying again`,
    );
    entry.restart = setTimeout(() => {
      entry.restart = undefined;
      if (!stopping && !ended) fork(entry);
    }, delay);
  }

  for (const entry of slots) fork(entry);

  return {
    stop(signal) {
      stopping ??= (async () => {
        log.info(
          { signal, timeout_s: shutdownTimeout, workers },
          "stopping: every worker finishes its requests in flight",
        );
        const running = slots.flatMap((entry) => {
          clearTimeout(entry.restart);
          return entry.worker && !entry.worker.isDead() ? [entry.worker] : [];
        });
        const exits = running.map(
          (worker) =>
            new Promise<number | null>((resolve) => {
              if (worker.isDead()) return resolve(worker.process.exitCode);
              worker.once("exit", (code) => resolve(code));
            }),
        );
        for (const worker of running) send(worker, { portcullis: "stop" });
        const kill = setTimeout(
          () => {
            for (const worker of running) if (!worker.isDead()) worker.process.kill("SIGKILL");
          },
          shutdownTimeout * 1000 + killGraceMs,
        );
        const codes = await Promise.all(exits);
        clearTimeout(kill);
        const failed = codes.filter((code) => code !== 0).length;
        if (failed > 0) log.error({ workers_failed: failed }, "some workers did not stop cleanly");
        return failed > 0 ? 1 : 0;
      })();
      return stopping;
    },
  };
}
