/**
 * Server settings: every value can be overridden by an environment variable, and the server runs
 * with none set. Durations are in seconds. The reason for each default sits beside it.
 */
import path from "node:path";
import { catalogueFromEnv, type ScopeCatalogue } from "../oauth/scope.ts";

export interface Settings {
  /** Folder for the SQLite database and generated secrets. */
  dataDir: string;
  databaseUrl: string;
  port: number;
  /** Public base URL; also the OpenID Connect issuer. No trailing slash. */
  publicUrl: string;
  adminEmail: string;
  /** Initial admin password; generated and printed on first start when unset. */
  adminPassword: string | undefined;
  /** Secret for session cookies; generated into the data folder when unset. */
  sessionSecret: string | undefined;
  lifetimes: {
    /** RFC 9700 §4.2.1 wants short-lived codes; 60 s covers a slow redirect. */
    authorizationCode: number;
    /** DOT's 10 h is long for a bearer token that cannot be recalled from a resource server's cache. */
    accessToken: number;
    /** DOT's never-expiring refresh tokens live forever in a stolen backup; 30 days of inactivity ends them. */
    refreshToken: number;
    /** How long a remembered consent answers for the user (approval prompt `auto`). */
    consent: number;
    /** Reuse of a just-rotated refresh token within this many seconds is tolerated (clients racing). */
    refreshGracePeriod: number;
  };
  /** Browser sign-ins to this server (lib/sessions). Both end a session, whichever comes first. */
  sessions: {
    /**
     * Absolute lifetime from sign-in, however active the session. 12 h: NIST SP 800-63B's limit
     * for re-authentication at AAL2, and a working day (Keycloak's default is 10 h).
     */
    maxAge: number;
    /**
     * Ends a session nobody used for this long. 30 min: NIST SP 800-63B's AAL2 inactivity limit
     * and Keycloak's default SSO idle timeout; this server holds the keys to every connected app.
     */
    idleTimeout: number;
  };
  /** `auto` remembers consent; `force` always asks (DOT's REQUEST_APPROVAL_PROMPT). */
  approvalPrompt: "auto" | "force";
  /** Every scope a client may request, with the words the consent screen uses. */
  scopes: ScopeCatalogue;
  /**
   * A reverse proxy in front sets X-Forwarded-For; trust its last entry as the client address.
   * Off by default: then a client could write its own address into the audit log.
   */
  trustProxy: boolean;
  /** PostgreSQL: keep clients in memory until a NOTIFY says one changed (lib/db/client-cache.ts). */
  clientCache: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function integerFromEnv(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a whole number of seconds ≥ 0, got "${raw}"`);
  }
  return value;
}

function positiveIntegerFromEnv(env: Env, name: string, fallback: number): number {
  const value = integerFromEnv(env, name, fallback);
  if (value === 0) throw new Error(`${name} must be a whole number of seconds ≥ 1, got "${env[name]}"`);
  return value;
}

function portFromEnv(env: Env): number {
  const raw = env.PORT?.trim();
  if (!raw) return 3000;
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`PORT must be a port number from 1 to 65535, got "${env.PORT}"`);
  return port;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

export function readSettings(env: Env = process.env, cwd = process.cwd()): Settings {
  const dataDir = path.resolve(cwd, nonEmpty(env.PORTCULLIS_DATA_DIR) ?? "data");
  const port = portFromEnv(env);
  const publicUrl = (nonEmpty(env.PORTCULLIS_URL) ?? nonEmpty(env.NEXTAUTH_URL) ?? `http://localhost:${port}`).replace(
    /\/+$/,
    "",
  );
  const approvalPrompt = nonEmpty(env.PORTCULLIS_APPROVAL_PROMPT) ?? "auto";
  if (approvalPrompt !== "auto" && approvalPrompt !== "force") {
    throw new Error(`PORTCULLIS_APPROVAL_PROMPT must be "auto" or "force", got "${approvalPrompt}"`);
  }
  return {
    dataDir,
    databaseUrl: nonEmpty(env.DATABASE_URL) ?? `file:${path.join(dataDir, "portcullis.db")}`,
    port,
    publicUrl,
    adminEmail: nonEmpty(env.PORTCULLIS_ADMIN_EMAIL) ?? "admin@example.com",
    adminPassword: nonEmpty(env.PORTCULLIS_ADMIN_PASSWORD),
    sessionSecret: nonEmpty(env.PORTCULLIS_SECRET) ?? nonEmpty(env.NEXTAUTH_SECRET),
    lifetimes: {
      authorizationCode: integerFromEnv(env, "PORTCULLIS_CODE_LIFETIME", 60),
      accessToken: integerFromEnv(env, "PORTCULLIS_ACCESS_TOKEN_LIFETIME", 3600),
      refreshToken: integerFromEnv(env, "PORTCULLIS_REFRESH_TOKEN_LIFETIME", 30 * 24 * 3600),
      consent: integerFromEnv(env, "PORTCULLIS_CONSENT_LIFETIME", 90 * 24 * 3600),
      refreshGracePeriod: integerFromEnv(env, "PORTCULLIS_REFRESH_GRACE_PERIOD", 0),
    },
    sessions: {
      maxAge: positiveIntegerFromEnv(env, "PORTCULLIS_SESSION_MAX_AGE", 12 * 3600),
      idleTimeout: positiveIntegerFromEnv(env, "PORTCULLIS_SESSION_IDLE_TIMEOUT", 30 * 60),
    },
    approvalPrompt,
    scopes: catalogueFromEnv(env.PORTCULLIS_SCOPES),
    trustProxy: ["1", "true", "yes"].includes((env.PORTCULLIS_TRUST_PROXY ?? "").trim().toLowerCase()),
    clientCache: !["0", "false", "no", "off"].includes((env.PORTCULLIS_CLIENT_CACHE ?? "").trim().toLowerCase()),
  };
}

let cached: Settings | undefined;

/** The settings of this process, read once. */
export function settings(): Settings {
  cached ??= readSettings();
  return cached;
}
