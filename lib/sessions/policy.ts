/**
 * When a browser session is live, free of storage so it can be tested with any clock. A session
 * ends at the first of: its revocation, its absolute expiry (sign-in + maxAge, fixed at sign-in)
 * and `idleTimeout` seconds after it was last seen.
 */
import { createHash, randomBytes } from "node:crypto";

export interface SessionLifetimes {
  /** Seconds from sign-in. */
  maxAge: number;
  /** Seconds since last use. */
  idleTimeout: number;
}

/** 256 random bits, base64url: the secret the session cookie carries. */
export function generateSessionSecret(): string {
  return randomBytes(32).toString("base64url");
}

const secretSyntax = /^[A-Za-z0-9_-]{43}$/;

export function isSessionSecret(value: unknown): value is string {
  return typeof value === "string" && secretSyntax.test(value);
}

/** The row's id: a digest, so the table alone cannot be turned back into a cookie. */
export function sessionIdOf(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("base64url");
}

export interface SessionTimes {
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

/** The instant the session stops working if nobody uses it again. */
function sessionEndsAt(session: SessionTimes, lifetimes: SessionLifetimes): Date {
  return new Date(Math.min(session.expiresAt.getTime(), session.lastSeenAt.getTime() + lifetimes.idleTimeout * 1000));
}

export function isSessionLive(session: SessionTimes, lifetimes: SessionLifetimes, now: Date): boolean {
  return session.revokedAt === null && sessionEndsAt(session, lifetimes).getTime() > now.getTime();
}

/**
 * How stale lastSeenAt may get before a request writes it again: once a minute at most, so a busy
 * session costs one write a minute rather than one per request. The idle timeout is therefore
 * judged to within this interval (a tenth of it for very short timeouts).
 */
export function touchIntervalMs(lifetimes: SessionLifetimes): number {
  return Math.min(60_000, (lifetimes.idleTimeout * 1000) / 10);
}

/** Whether a request at `now` should record itself as the session's last use. */
export function touchDue(lastSeenAt: Date, lifetimes: SessionLifetimes, now: Date): boolean {
  return now.getTime() - lastSeenAt.getTime() >= touchIntervalMs(lifetimes);
}
