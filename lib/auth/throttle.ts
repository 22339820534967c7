/**
 * Slows password guessing: after `signInLimit` failed sign-ins on one email within
 * `signInWindowMs`, further attempts on it fail without checking the password until the oldest
 * failure leaves the window; a successful sign-in clears the email's failures. The failures are
 * rows in the database (SignInFailure), so every instance behind a load balancer counts the same
 * ones: kept per process, N instances would allow N times the guesses. Attempts running at the
 * same moment can each pass the check before any of them is recorded, so the bound is the limit
 * plus the attempts in flight, each of which costs the attacker a password hash.
 */
import type { Db } from "../db/client.ts";

export const signInLimit = 10;
export const signInWindowMs = 15 * 60_000;

const windowStart = (now: Date) => new Date(now.getTime() - signInWindowMs);

export async function signInBlocked(db: Db, email: string, now: Date = new Date()): Promise<boolean> {
  const failures = await db.signInFailure.count({ where: { email, failedAt: { gt: windowStart(now) } } });
  return failures >= signInLimit;
}

export async function recordSignInFailure(db: Db, email: string, now: Date = new Date()): Promise<void> {
  await db.signInFailure.create({ data: { email, failedAt: now } });
}

export async function clearSignInFailures(db: Db, email: string): Promise<void> {
  await db.signInFailure.deleteMany({ where: { email } });
}

/** Failures too old to count any more, for clear-tokens. */
export const expiredSignInFailures = (now: Date) => ({ failedAt: { lte: windowStart(now) } });
