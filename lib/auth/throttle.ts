/**
 * Slows password guessing without letting anyone lock anyone else out. Attempts are counted per
 * account *and* client address: a few wrong passwords from one address on one account are free
 * (typos), then that address must wait before trying that account again, 30 s at first, doubling
 * with each further failure up to 15 minutes. Someone guessing at a victim's account from their
 * own address therefore only ever delays themselves: the victim, from theirs, signs in as usual.
 * A second limit counts failures from one address over all accounts (50 in 15 minutes), so one
 * address cannot spray a common password across many accounts either. Limits: settings.ts
 * `signInThrottle`, set by environment variables.
 *
 * Exact under concurrency, across instances: an attempt claims its place before the password is
 * hashed, by writing its row in one transaction that first takes a lock on its address
 * (lib/db/locks.ts) and re-reads the counts, so of N parallel attempts at most as many as the
 * limits allow get their password checked. The row stays as the failure when the password was
 * wrong and is deleted, with the address's earlier failures on that account, when it was right.
 * The rows are in the database (SignInFailure), so every instance behind a load balancer counts
 * the same ones.
 *
 * Refused attempts write nothing and wait for no lock (they are decided by a read first), so a
 * flood against a throttled account cannot grow any table or queue for the write lock, and they
 * cost no password hash either: the refusal says plainly how long to wait, whether or not the
 * account exists (attempts on unknown emails are counted the same way), so there is no timing to
 * hide. What the audit log keeps of a block is written by the failure that starts it: the claim
 * says whether it is that failure (`startsBlock`).
 */
import { settings, type Settings } from "../config/settings.ts";
import type { Db } from "../db/client.ts";
import { lockForTransaction } from "../db/locks.ts";

export type SignInThrottlePolicy = Settings["signInThrottle"];

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** Whose attempt: the account's email as stored (lower case) and the client address, "" when unknown. */
export interface AttemptKey {
  email: string;
  source: string;
}

export const attemptKey = (email: string, ip: string | null | undefined): AttemptKey => ({ email, source: ip ?? "" });

export type SignInClaim =
  | {
      granted: true;
      id: string;
      key: AttemptKey;
      at: Date;
      /**
       * When this attempt fails, does it start a block: the account's first wait for this address,
       * or the address's limit over all accounts? (For the caller to audit, once per block.)
       */
      startsBlock: "account from this address" | "this address on every account" | null;
      /** Seconds the address must wait after this attempt, should it fail. */
      waitIfFailed: number;
    }
  | { granted: false; retryAfterSeconds: number };

/** Seconds to wait after `failures` failures of one address on one account. */
function delayAfter(failures: number, policy: SignInThrottlePolicy): number {
  if (failures < policy.freeFailures) return 0;
  return Math.min(policy.firstDelay * 2 ** (failures - policy.freeFailures), policy.maxDelay);
}

interface State {
  /** The address's remembered failures on the account, and the latest. */
  failures: number;
  last: Date | null;
  /** The address's failures on every account within the address window. */
  addressFailures: number;
  /** When the address is under its limit again, if it is over now. */
  addressFreeAt: Date | null;
}

const ago = (now: Date, seconds: number) => new Date(now.getTime() - seconds * 1000);

async function readState(db: Db | Tx, key: AttemptKey, now: Date, policy: SignInThrottlePolicy): Promise<State> {
  const pair = await db.signInFailure.aggregate({
    where: { email: key.email, source: key.source, failedAt: { gt: ago(now, policy.memory) } },
    _count: { _all: true },
    _max: { failedAt: true },
  });
  const inAddressWindow = { source: key.source, failedAt: { gt: ago(now, policy.addressWindow) } };
  const addressFailures = await db.signInFailure.count({ where: inAddressWindow });
  let addressFreeAt: Date | null = null;
  if (addressFailures >= policy.addressLimit) {
    // The failure whose leaving the window brings the address back under its limit.
    const oldestThatCounts = await db.signInFailure.findFirst({
      where: inAddressWindow,
      orderBy: [{ failedAt: "desc" }, { id: "desc" }],
      skip: policy.addressLimit - 1,
      select: { failedAt: true },
    });
    addressFreeAt = new Date((oldestThatCounts?.failedAt ?? now).getTime() + policy.addressWindow * 1000);
  }
  return { failures: pair._count._all, last: pair._max.failedAt, addressFailures, addressFreeAt };
}

/** Milliseconds until the key may try again: 0 when it may now. */
function waitMs(state: State, now: Date, policy: SignInThrottlePolicy): number {
  let until = 0;
  if (state.last) {
    const delay = delayAfter(state.failures, policy);
    if (delay > 0) until = state.last.getTime() + delay * 1000;
  }
  if (state.addressFreeAt) until = Math.max(until, state.addressFreeAt.getTime());
  return Math.max(0, until - now.getTime());
}

const refused = (ms: number): SignInClaim => ({ granted: false, retryAfterSeconds: Math.ceil(ms / 1000) });

/**
 * Claims a password check for `key`: granted (and counted as a failure until the caller reports a
 * success with `forgetFailures`), or refused with the seconds to wait. A refusal writes nothing.
 */
export async function claimSignInAttempt(
  db: Db,
  key: AttemptKey,
  now: Date = new Date(),
  policy: SignInThrottlePolicy = settings().signInThrottle,
): Promise<SignInClaim> {
  const wait = waitMs(await readState(db, key, now, policy), now, policy);
  if (wait > 0) return refused(wait);
  return db.$transaction(
    async (tx) => {
      // Both limits count this address's rows, so its lock serializes every claim they decide.
      await lockForTransaction(db, tx, `sign-in:${key.source}`);
      const state = await readState(tx, key, now, policy);
      const locked = waitMs(state, now, policy);
      if (locked > 0) return refused(locked);
      const row = await tx.signInFailure.create({
        data: { email: key.email, source: key.source, failedAt: now },
        select: { id: true },
      });
      const failures = state.failures + 1;
      const addressFull = state.addressFailures + 1 >= policy.addressLimit;
      const claim: SignInClaim = {
        granted: true,
        id: row.id,
        key,
        at: now,
        startsBlock:
          failures === policy.freeFailures
            ? "account from this address"
            : state.addressFailures + 1 === policy.addressLimit
              ? "this address on every account"
              : null,
        waitIfFailed: Math.max(delayAfter(failures, policy), addressFull ? policy.addressWindow : 0),
      };
      return claim;
    },
    { maxWait: 10_000, timeout: 10_000 },
  );
}

/**
 * A granted attempt succeeded: its claim and the address's earlier failures on the account are
 * forgotten (failures by other addresses stay: a success here says nothing about them).
 */
export async function forgetFailures(tx: Db | Tx, claim: Extract<SignInClaim, { granted: true }>): Promise<void> {
  await tx.signInFailure.deleteMany({
    where: { email: claim.key.email, source: claim.key.source, failedAt: { lte: claim.at } },
  });
}

/** Failures too old to count for either limit, for clear-tokens. */
export function expiredSignInFailures(now: Date, policy: SignInThrottlePolicy = settings().signInThrottle) {
  return { failedAt: { lte: ago(now, Math.max(policy.memory, policy.addressWindow)) } };
}
