/**
 * Slows password guessing: after `signInLimit` failed sign-ins on one email within
 * `signInWindowMs`, further attempts on it fail without checking the password until the oldest
 * failure leaves the window; a successful sign-in clears the email's failures. The failures are
 * rows in the database (SignInFailure), so every instance behind a load balancer counts the same
 * ones: kept per process, N instances would allow N times the guesses. Attempts running at the
 * same moment can each pass the check before any of them is recorded, so the bound is the limit
 * plus the attempts in flight, each of which costs the attacker a password hash.
 *
 * Refused attempts write nothing (only `signInBlocked` reads), so a flood against a blocked
 * account never waits for the database's write lock and cannot grow any table. What the audit log
 * keeps of a block is written by the failure that starts it: `recordSignInFailure` says whether
 * this failure brought the email's failures in the window to the limit (lib/users/sign-in.ts).
 */
import type { Transaction } from "../audit/record.ts";
import type { Db } from "../db/client.ts";

export const signInLimit = 10;
export const signInWindowMs = 15 * 60_000;

const windowStart = (now: Date) => new Date(now.getTime() - signInWindowMs);
const inWindow = (email: string, now: Date) => ({ email, failedAt: { gt: windowStart(now) } });

export async function signInBlocked(db: Db, email: string, now: Date = new Date()): Promise<boolean> {
  return (await db.signInFailure.count({ where: inWindow(email, now) })) >= signInLimit;
}

/**
 * Records a failed sign-in on an email; true when it is the one that brings the email's failures
 * in the window to `signInLimit`, i.e. it starts a block (for the caller to audit in the same
 * transaction). Failures recorded at the same moment in other transactions may or may not be
 * counted (each sees its own insert and what has committed), so a block started by concurrent
 * failures can get no `true`, or two: an audit entry more or less, never a wrong answer to a
 * sign-in, which `signInBlocked` decides.
 */
export async function recordSignInFailure(tx: Transaction, email: string, now: Date = new Date()): Promise<boolean> {
  await tx.signInFailure.create({ data: { email, failedAt: now } });
  return (await tx.signInFailure.count({ where: inWindow(email, now) })) === signInLimit;
}

export async function clearSignInFailures(db: Db | Transaction, email: string): Promise<void> {
  await db.signInFailure.deleteMany({ where: { email } });
}

/** Failures too old to count any more, for clear-tokens. */
export const expiredSignInFailures = (now: Date) => ({ failedAt: { lte: windowStart(now) } });
