/**
 * Server settings: every value can be overridden by an environment variable, and the server runs
 * with none set. Durations are in seconds. The reason for each default sits beside it.
 */
import { availableParallelism } from "node:os";
import path from "node:path";
import { catalogueFromEnv, type ScopeCatalogue } from "../oauth/scope.ts";

export interface Settings {
  /** Folder for the SQLite database and generated secrets. */
  dataDir: string;
  databaseUrl: string;
  port: number;
  /** The address to listen on (HOST); every interface when unset. 127.0.0.1 behind a local reverse proxy. */
  host: string | undefined;
  /**
   * Seconds a stopping server (SIGTERM, SIGINT) lets requests in flight finish before it closes
   * their connections. 10 s: well inside systemd's 90 s and Kubernetes' 30 s before they kill.
   */
  shutdownTimeout: number;
  /**
   * Processes that serve (PORTCULLIS_WORKERS), sharing the port through Node's cluster module: one
   * Node process uses one core. Default: the cores available to this process. 1: this process
   * serves alone, as before workers existed.
   */
  workers: number;
  /** Bearer token that unlocks GET /metrics (Prometheus); /metrics is off when unset. */
  metricsToken: string | undefined;
  /** Public base URL; also the OpenID Connect issuer. No trailing slash. */
  publicUrl: string;
  adminEmail: string;
  /** Initial admin password; generated and printed on first start when unset. */
  adminPassword: string | undefined;
  /** Secret for session cookies; generated into the data folder when unset. */
  sessionSecret: string | undefined;
  /**
   * The key that encrypts signing keys at rest (lib/config/secrets.ts keyEncryptionKey): 32 bytes,
   * base64 or hex; generated into the data folder when unset.
   */
  keyEncryptionKey: string | undefined;
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
  /**
   * Seconds a one-time password reset link an admin issued stays valid. 1 h: long enough to hand
   * it over, short enough that a link left in a chat log is soon worthless (OWASP's forgot-password
   * guidance: short-lived, single-use).
   */
  passwordResetLifetime: number;
  /** `auto` remembers consent; `force` always asks (DOT's REQUEST_APPROVAL_PROMPT). */
  approvalPrompt: "auto" | "force";
  /**
   * The scopes inserted into the catalogue at start-up when never inserted before (the built-in
   * ones and PORTCULLIS_SCOPES): a seed, not the catalogue (lib/scopes/catalogue.ts).
   */
  scopeSeed: ScopeCatalogue;
  /**
   * A reverse proxy in front sets X-Forwarded-For; trust its last entry as the client address.
   * Off by default: then a client could write its own address into the audit log.
   */
  trustProxy: boolean;
  /** PostgreSQL: keep clients in memory until a NOTIFY says one changed (lib/db/client-cache.ts). */
  clientCache: boolean;
  /** Password guessing (lib/auth/throttle.ts): keyed by account and address, so nobody can lock anyone else out. */
  signInThrottle: {
    /** Wrong passwords one address may give for one account before it must wait: a user's typos. */
    freeFailures: number;
    /** The first wait, seconds; each further failure doubles it... */
    firstDelay: number;
    /** ...up to this (seconds): about four guesses an hour per account and address. */
    maxDelay: number;
    /** Seconds a failure is remembered; a successful sign-in from the address forgets them at once. */
    memory: number;
    /** Failed sign-ins one address may make on all accounts together within `addressWindow`: stops spraying. */
    addressLimit: number;
    addressWindow: number;
  };
  /** Client-secret guessing at the token, revocation and introspection endpoints (lib/oauth/client-auth-throttle.ts). */
  clientAuthThrottle: {
    /** Failed authentications of one client from one address within `window`, then 429. */
    limit: number;
    /** Failed authentications from one address on all clients within `window`, then 429. */
    addressLimit: number;
    /** Seconds. */
    window: number;
  };
  /** The device authorization grant (RFC 8628, lib/oauth/device-authorization.ts). */
  deviceAuthorization: {
    /** Seconds a device code and its user code live: 10 minutes, long enough to find a phone and sign in. */
    lifetime: number;
    /** Seconds a device waits between polls: RFC 8628 §3.2's default of 5. */
    interval: number;
    /**
     * Wrong user codes one user may enter within `window`, then /device refuses them: with 20^8
     * codes, a few tries per window make guessing a live one hopeless (RFC 8628 §5.1).
     */
    userLimit: number;
    /** Wrong user codes from one address, any users, within `window`. */
    addressLimit: number;
    /** Seconds. */
    window: number;
  };
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

function countFromEnv(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number ≥ 1, got "${raw}"`);
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
    host: nonEmpty(env.HOST)?.trim(),
    shutdownTimeout: integerFromEnv(env, "PORTCULLIS_SHUTDOWN_TIMEOUT", 10),
    workers: countFromEnv(env, "PORTCULLIS_WORKERS", availableParallelism()),
    metricsToken: nonEmpty(env.PORTCULLIS_METRICS_TOKEN),
    publicUrl,
    adminEmail: nonEmpty(env.PORTCULLIS_ADMIN_EMAIL) ?? "admin@example.com",
    adminPassword: nonEmpty(env.PORTCULLIS_ADMIN_PASSWORD),
    sessionSecret: nonEmpty(env.PORTCULLIS_SECRET) ?? nonEmpty(env.NEXTAUTH_SECRET),
    keyEncryptionKey: nonEmpty(env.PORTCULLIS_KEY_ENCRYPTION_KEY),
    lifetimes: {
      authorizationCode: integerFromEnv(env, "PORTCULLIS_CODE_LIFETIME", 60),
      accessToken: integerFromEnv(env, "PORTCULLIS_ACCESS_TOKEN_LIFETIME", 3600),
      refreshToken: integerFromEnv(env, "PORTCULLIS_REFRESH_TOKEN_LIFETIME", 30 * 24 * 3600),
      consent: integerFromEnv(env, "PORTCULLIS_CONSENT_LIFETIME", 90 * 24 * 3600),
      refreshGracePeriod: integerFromEnv(env, "PORTCULLIS_REFRESH_GRACE_PERIOD", 0),
    },
    sessions: {
      maxAge: countFromEnv(env, "PORTCULLIS_SESSION_MAX_AGE", 12 * 3600),
      idleTimeout: countFromEnv(env, "PORTCULLIS_SESSION_IDLE_TIMEOUT", 30 * 60),
    },
    passwordResetLifetime: countFromEnv(env, "PORTCULLIS_PASSWORD_RESET_LIFETIME", 3600),
    approvalPrompt,
    scopeSeed: catalogueFromEnv(env.PORTCULLIS_SCOPES),
    trustProxy: ["1", "true", "yes"].includes((env.PORTCULLIS_TRUST_PROXY ?? "").trim().toLowerCase()),
    clientCache: !["0", "false", "no", "off"].includes((env.PORTCULLIS_CLIENT_CACHE ?? "").trim().toLowerCase()),
    signInThrottle: {
      freeFailures: countFromEnv(env, "PORTCULLIS_SIGN_IN_FREE_FAILURES", 5),
      firstDelay: countFromEnv(env, "PORTCULLIS_SIGN_IN_FIRST_DELAY", 30),
      maxDelay: countFromEnv(env, "PORTCULLIS_SIGN_IN_MAX_DELAY", 15 * 60),
      memory: countFromEnv(env, "PORTCULLIS_SIGN_IN_MEMORY", 24 * 3600),
      addressLimit: countFromEnv(env, "PORTCULLIS_SIGN_IN_ADDRESS_LIMIT", 50),
      addressWindow: countFromEnv(env, "PORTCULLIS_SIGN_IN_ADDRESS_WINDOW", 15 * 60),
    },
    clientAuthThrottle: {
      limit: countFromEnv(env, "PORTCULLIS_CLIENT_AUTH_LIMIT", 10),
      addressLimit: countFromEnv(env, "PORTCULLIS_CLIENT_AUTH_ADDRESS_LIMIT", 50),
      window: countFromEnv(env, "PORTCULLIS_CLIENT_AUTH_WINDOW", 5 * 60),
    },
    deviceAuthorization: {
      lifetime: countFromEnv(env, "PORTCULLIS_DEVICE_CODE_TTL", 10 * 60),
      interval: countFromEnv(env, "PORTCULLIS_DEVICE_POLL_INTERVAL", 5),
      userLimit: countFromEnv(env, "PORTCULLIS_USER_CODE_LIMIT", 5),
      addressLimit: countFromEnv(env, "PORTCULLIS_USER_CODE_ADDRESS_LIMIT", 20),
      window: countFromEnv(env, "PORTCULLIS_USER_CODE_WINDOW", 15 * 60),
    },
  };
}

let cached: Settings | undefined;

/** The settings of this process, read once. */
export function settings(): Settings {
  cached ??= readSettings();
  return cached;
}
