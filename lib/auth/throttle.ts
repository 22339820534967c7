/**
 * Slows password guessing: after `signInLimit` failed sign-ins on one email within
 * `signInWindowMs`, further attempts on it fail without checking the password until the oldest
 * failure leaves the window; a successful sign-in clears the email's failures. The failures are
 * rows in the database (SignInFailure), so every instance behind a load balancer counts the same
 * ones: kept per process, N instances would allow N times the guesses. Attempts running at the
 * same moment can each pass the check before any of them is recorded, so the bound is the limit
 * plus the attempts in flight, each of which costs the attacker a password hash.
 *
 * Refused attempts are not recorded as failures, and the audit log must not pay a row for each
 * either: `startBlock` says yes to the first refusal on an email and then no until a window has
 * passed since (a SignInBlock row per email, claimed atomically), so a block is audited once per
 * window however many attempts it refuses.
 */
import type { Transaction } from "../audit/record.ts";
import type { Db } from "../db/client.ts";

export const signInLimit = 10;
export const signInWindowMs = 15 * 60_000;

const windowStart = (now: Date) => new Date(now.getTime() - signInWindowMs);

export async function signInBlocked(db: Db, email: string, now: Date = new Date()): Promise<boolean> {
  const failures = await db.signInFailure.count({ where: { email, failedAt: { gt: windowStart(now) } } });
  return failures >= signInLimit;
}

export async function recordSignInFailure(db: Db | Transaction, email: string, now: Date = new Date()): Promise<void> {
  await db.signInFailure.create({ data: { email, failedAt: now } });
}

export async function clearSignInFailures(db: Db | Transaction, email: string): Promise<void> {
  await db.signInFailure.deleteMany({ where: { email } });
}

/**
 * Inside a transaction, for an attempt the throttle refused: true when no refusal on this email was
 * noted within the window (this one starts the block and is worth an audit row), else false.
 * Concurrent first refusals race for the email's row: an update waits for the other's lock and then
 * finds the row fresh, and a second insert fails on the primary key (isUniqueViolation), so only
 * one of them gets true.
 */
export async function startBlock(tx: Transaction, email: string, now: Date = new Date()): Promise<boolean> {
  const renewed = await tx.signInBlock.updateMany({
    where: { email, startedAt: { lte: windowStart(now) } },
    data: { startedAt: now },
  });
  if (renewed.count === 1) return true;
  if (await tx.signInBlock.findUnique({ where: { email }, select: { email: true } })) return false;
  await tx.signInBlock.create({ data: { email, startedAt: now } });
  return true;
}

/** Prisma's unique-constraint error: here, another request noted the same block first. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

/** Failures too old to count any more, for clear-tokens. */
export const expiredSignInFailures = (now: Date) => ({ failedAt: { lte: windowStart(now) } });

/** Blocks noted longer than a window ago, for clear-tokens: the next refusal notes a new one anyway. */
export const expiredSignInBlocks = (now: Date) => ({ startedAt: { lte: windowStart(now) } });
