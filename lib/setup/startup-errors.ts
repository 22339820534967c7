/**
 * What a server that cannot start says: one line naming the cause and what to do, instead of a
 * driver's error object or a stack trace. Errors it does not recognise keep their message.
 */
import type { Settings } from "../config/settings.ts";
import { MigrationError } from "../db/migrate.ts";
import { parseDatabaseUrl } from "../db/url.ts";

/** A start-up problem whose message already says what to do. */
export class StartupError extends Error {}

interface ErrorLike {
  code?: unknown;
  syscall?: unknown;
  path?: unknown;
  message?: unknown;
  errors?: unknown;
}

function postgresWhere(databaseUrl: string): { host: string; port: string; user: string; database: string } {
  const url = new URL(databaseUrl);
  return {
    host: url.hostname || "localhost",
    port: url.port || "5432",
    user: decodeURIComponent(url.username) || "postgres",
    database: decodeURIComponent(url.pathname.slice(1)) || "postgres",
  };
}

/** The one line to print for `error`, thrown while starting with `settings`. */
export function explainStartupError(
  error: unknown,
  settings: Pick<Settings, "port" | "host" | "databaseUrl" | "dataDir">,
): string {
  if (error instanceof StartupError || error instanceof MigrationError) return error.message;
  const { code, syscall, path, message } = (error ?? {}) as ErrorLike;
  // pg reports an unreachable server with several addresses as an AggregateError (no code of its own).
  const first =
    (error as ErrorLike)?.errors instanceof Array ? ((error as ErrorLike).errors as ErrorLike[])[0] : undefined;
  const errorCode = String(code ?? first?.code ?? "");
  // A worker of several (PORTCULLIS_WORKERS) gets the primary's failed bind.
  const listening = syscall === "listen" || syscall === "bind";
  const where = `${settings.host ?? "every interface"} port ${settings.port}`;
  if (listening && errorCode === "EADDRINUSE")
    return `Port ${settings.port} is already in use (on ${where}): stop the program listening there, or set PORT to a free port.`;
  if (listening && (errorCode === "EACCES" || errorCode === "EPERM"))
    return `Not allowed to listen on ${where}: ports below 1024 need privileges; use a higher PORT behind a reverse proxy.`;
  if (listening && errorCode === "EADDRNOTAVAIL")
    return `HOST ${settings.host} is not an address of this machine: set HOST to one of its addresses, or leave it unset.`;

  const target = (() => {
    try {
      return parseDatabaseUrl(settings.databaseUrl);
    } catch {
      return undefined;
    }
  })();
  if (target?.provider === "postgresql") {
    const pg = postgresWhere(target.url);
    if (errorCode === "3D000")
      return `PostgreSQL database "${pg.database}" does not exist on ${pg.host}:${pg.port}: create it (createdb -h ${pg.host} -p ${pg.port} -U ${pg.user} ${pg.database}) or fix DATABASE_URL.`;
    if (["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"].includes(errorCode))
      return `Cannot reach PostgreSQL at ${pg.host}:${pg.port} (${errorCode}): start it, or fix the host and port in DATABASE_URL.`;
    if (errorCode === "28P01" || errorCode === "28000")
      return `PostgreSQL refused user "${pg.user}" at ${pg.host}:${pg.port}: fix the user and password in DATABASE_URL.`;
    if (String(message).includes("timeout"))
      return `PostgreSQL at ${pg.host}:${pg.port} did not answer in time: check that it runs and that DATABASE_URL is right.`;
  }
  const unwritable =
    ["EACCES", "EPERM", "EROFS", "ENOTDIR"].includes(errorCode) || (errorCode === "ENOENT" && syscall === "mkdir");
  if (unwritable && typeof path === "string")
    return `Cannot write ${path} (${errorCode}): make the data folder ${settings.dataDir} writable by this user, or set PORTCULLIS_DATA_DIR to a folder that is.`;
  return error instanceof Error ? error.message : String(error);
}
