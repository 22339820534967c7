/**
 * The process's logger (pino): JSON lines in production, one readable line per entry in
 * development (LOG_FORMAT overrides either; LOG_LEVEL sets the threshold). Kept on globalThis:
 * Next's build can copy this module into several server chunks, and they must share one logger.
 *
 * Never log secrets, codes, tokens or passwords: callers pass fields they chose, never a request's
 * form or headers whole.
 */
import { Writable } from "node:stream";
import { format } from "node:util";
import pino, { type DestinationStream, type Logger } from "pino";
import { workerRole } from "../cluster/worker.ts";

export type { Logger };

const levels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof levels)[number];
export type LogFormat = "json" | "pretty";

export interface LogOptions {
  level: LogLevel;
  format: LogFormat;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * LOG_LEVEL (default info) and LOG_FORMAT (default: json in production, unless a person watches
 * the terminal; pretty in development).
 */
export function logOptionsFromEnv(env: Env = process.env, terminal = process.stdout.isTTY === true): LogOptions {
  const level = (env.LOG_LEVEL?.trim().toLowerCase() || "info") as LogLevel;
  if (!levels.includes(level)) throw new Error(`LOG_LEVEL must be one of ${levels.join(", ")}, got "${env.LOG_LEVEL}"`);
  const format =
    env.LOG_FORMAT?.trim().toLowerCase() || (env.NODE_ENV === "production" && !terminal ? "json" : "pretty");
  if (format !== "json" && format !== "pretty") throw new Error(`LOG_FORMAT must be json or pretty, got "${format}"`);
  return { level, format };
}

const levelNames: Record<number, string> = {
  10: "TRACE",
  20: "DEBUG",
  30: "INFO",
  40: "WARN",
  50: "ERROR",
  60: "FATAL",
};
const omitted = new Set(["level", "time", "pid", "hostname", "msg"]);

/** One JSON line from pino as `12:00:00.000 INFO  message key=value …` (development). */
export function prettyLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = new Date(Number(entry.time)).toISOString().slice(11, 23);
  const level = (levelNames[Number(entry.level)] ?? String(entry.level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key]) => !omitted.has(key))
    .map(([key, value]) => {
      if (key === "err" && value && typeof value === "object" && "stack" in value) return `\n${String(value.stack)}`;
      return `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`;
    });
  return [time, level, entry.msg ?? "", ...fields].join(" ").trimEnd() + "\n";
}

/** Writes pino's JSON lines to `out` as prettyLine() formats them. */
function prettyStream(out: NodeJS.WritableStream): DestinationStream {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split("\n")) if (line) out.write(prettyLine(line));
      done();
    },
  });
}

/** A logger writing to `destination` (stdout by default). */
export function createLogger(options: LogOptions, destination: NodeJS.WritableStream = process.stdout): Logger {
  const stream =
    options.format === "pretty" ? prettyStream(destination) : (destination as unknown as DestinationStream);
  // A worker of several names itself in every line (its slot, 1…N; pid changes when it is restarted).
  const role = workerRole();
  return pino({ level: options.level, base: { pid: process.pid, ...(role ? { worker: role.slot } : {}) } }, stream);
}

const key = Symbol.for("portcullis.logger");
const holder = globalThis as typeof globalThis & { [key]?: Logger };

/** The process-wide logger, made from the environment on first use. */
export function log(): Logger {
  holder[key] ??= createLogger(logOptionsFromEnv());
  return holder[key];
}

/** Replaces the process-wide logger (a process with its own destination, or a test's). */
export function useLogger(logger: Logger): void {
  holder[key] = logger;
}

// Terminal colours and the like, which a log line must not carry.
const ansi = /\u001b\[[0-9;]*m/g;

/**
 * Sends what other code writes with console.* (Next's own notes, a library's warnings) to the
 * logger, so that a production server's output stays one JSON entry per line.
 */
export function routeConsoleToLogger(): void {
  const to =
    (level: "debug" | "info" | "warn" | "error") =>
    (...args: unknown[]) =>
      log()[level](
        format(...args)
          .replace(ansi, "")
          .trim(),
      );
  console.debug = to("debug");
  console.log = to("info");
  console.info = to("info");
  console.warn = to("warn");
  console.error = to("error");
}
