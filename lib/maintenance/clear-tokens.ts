/**
 * Deletes the rows the protocol no longer needs (Django OAuth Toolkit's `cleartokens`):
 *
 * - access tokens that are expired or revoked;
 * - refresh tokens that are revoked or expired. A rotated refresh token that is neither is kept:
 *   presenting it again is how reuse is detected (and within the grace period it still works);
 * - authorization codes that are expired (consumed or not: an expired code can never be redeemed);
 * - device codes that are expired (answered or not, redeemed or not: the device polls in vain);
 * - consents that are expired;
 * - failed sign-ins too old to count for the sign-in throttle (lib/auth/throttle.ts);
 * - failed client authentications too old to count for their limit (lib/oauth/client-auth-throttle.ts);
 * - wrong user codes too old to count for their limit (lib/oauth/device-verification.ts);
 * - browser sessions that are revoked (signed out, ended), past their absolute lifetime, or idle
 *   longer than the idle timeout (lib/sessions/policy.ts);
 * - password reset links past their expiry, used or not (lib/users/password-reset.ts).
 *
 * Safe while the server is serving: work is done in batches, and each batch is one short
 * statement pair (read up to `batchSize` ids, then delete those ids *if they are still dead*), so
 * no lock is held for longer than one batch and a row that came back to life in between (a consent
 * the user just renewed) is left alone. A row that is dead stays dead (expiry only moves forward,
 * revocation is never undone), so a second run finds nothing the first one missed. Batches walk the
 * table in id order from a cursor, so the loop always ends even if rows are added meanwhile.
 */
import { expiredSignInFailures } from "../auth/throttle.ts";
import { settings } from "../config/settings.ts";
import { expiredClientAuthFailures as failuresOlderThan } from "../db/client-auth-failures.ts";
import { providerOf, type Db } from "../db/client.ts";
import { walPagesBeforeFinish } from "../db/sqlite-checkpointer.ts";
import type { SessionLifetimes } from "../sessions/policy.ts";
import { expiredPasswordResetTokens } from "../users/password-reset.ts";

const defaultBatchSize = 1000;
/** Large enough to finish big tables in few round trips, small enough for any driver's parameter limit. */
export const maxBatchSize = 10_000;

export type ClearedKind =
  | "accessTokens"
  | "refreshTokens"
  | "authorizationCodes"
  | "deviceCodes"
  | "consents"
  | "signInFailures"
  | "clientAuthFailures"
  | "userCodeFailures"
  | "sessions"
  | "passwordResetTokens";
export type ClearedCounts = Record<ClearedKind, number>;

export interface ClearTokensOptions {
  batchSize?: number;
  /** The instant against which expiry is judged; the current time by default. */
  now?: Date;
  /** Judges which sessions are idle; the server's settings by default. */
  sessionLifetimes?: SessionLifetimes;
  /** Called after each batch's delete (which took `deleteMs`), e.g. to print progress. */
  onBatch?: (kind: ClearedKind, deleted: number, deleteMs: number) => void;
  /**
   * How long one delete may hold the write lock. SQLite has one lock for the whole file, so the
   * token endpoint's inserts wait while a batch is deleted: the first batch is small
   * (`firstPacedBatch` rows), a batch that took longer than the budget makes the next ones smaller
   * (down to one row), and quick ones let them double up to `batchSize`; each kind of row starts
   * small again (its table's pages may not be in memory). After each delete the sweep rests
   * `restPerDelete` times as long as the delete took. Unset: every batch is `batchSize`, without
   * pauses.
   */
  lockBudgetMs?: number;
}

/**
 * How long a paced sweep rests after each delete, in multiples of the time the delete took: the
 * sweep holds the lock at most a quarter of the time. It is the disk it spares as much as the lock:
 * each deleted row rewrites pages all over every index of its table, twice (into the WAL, then back
 * into the database file), and a saturated disk stretches whichever delete holds the lock then
 * (docs/performance.md).
 */
export const restPerDelete = 3;

/**
 * The command line's lock budget: a delete sized for it can take several times as long when a write
 * to the disk is slow, and must still stay under the 50 ms a token request may be held up.
 */
export const defaultLockBudgetMs = 10;

/** One kind of row: how to read the next batch of dead ids, and how to delete ids that are still dead. */
interface Sweep {
  nextDead(after: string | undefined, take: number): Promise<{ id: string }[]>;
  deleteIfDead(ids: string[]): Promise<{ count: number }>;
}

const after = (cursor: string | undefined) => (cursor === undefined ? {} : { id: { gt: cursor } });
const page = { select: { id: true }, orderBy: { id: "asc" } } as const;

/**
 * A paced sweep's first batch. Deleting from a large table whose pages are not yet in memory costs
 * far more per row than the batches after it: a first batch of 1,000 access tokens held the lock
 * for 261 ms on the scale benchmark's database (docs/performance.md).
 */
const firstPacedBatch = 32;

/** How a sweep shares the database with a serving server (ClearTokensOptions.lockBudgetMs). */
interface Pacing {
  lockBudgetMs: number;
  /** Work for the pause after each delete, counted in it. */
  duringPause: () => Promise<unknown>;
}

async function clearInBatches(
  sweep: Sweep,
  batchSize: number,
  report: (deleted: number, deleteMs: number) => void,
  pacing: Pacing | undefined,
): Promise<number> {
  let total = 0;
  let cursor: string | undefined;
  let size = pacing === undefined ? batchSize : Math.min(batchSize, firstPacedBatch);
  for (;;) {
    const rows = await sweep.nextDead(cursor, size);
    if (rows.length === 0) break;
    cursor = rows[rows.length - 1]!.id;
    const started = performance.now();
    const { count } = await sweep.deleteIfDead(rows.map((row) => row.id));
    const took = performance.now() - started;
    total += count;
    report(count, took);
    const last = rows.length < size;
    if (pacing !== undefined) {
      const { lockBudgetMs } = pacing;
      if (took > lockBudgetMs) size = Math.max(1, Math.floor((rows.length * lockBudgetMs) / took));
      else if (took < lockBudgetMs / 2) size = Math.min(batchSize, size * 2);
      const pauseStarted = performance.now();
      await pacing.duringPause();
      const rest = Math.min(took, 1000) * restPerDelete - (performance.now() - pauseStarted);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
    if (last) break;
  }
  return total;
}

/**
 * On SQLite, during each pause: copy the batch's pages from the WAL into the database file (a
 * PASSIVE checkpoint takes no lock, so the server's writes go on meanwhile). Otherwise the sweep's
 * pages pile up in the WAL until the server finishes a checkpoint on its serving thread, copying them
 * with every request waiting: the deletes touch pages all over each index, so that took up to
 * hundreds of milliseconds.
 *
 * No checkpoint starts the WAL over while two processes commit, though (each commits while the
 * other copies), and it grew by gigabytes during one sweep. So once it is as long as the server's
 * checkpointer lets it grow (sqlite-checkpointer.ts), the sweep stops writing until that has
 * started it over (a finish with no other writer, a few milliseconds), or for at most a second.
 */
async function checkpointAfterBatch(db: Db): Promise<void> {
  const walPages = async () =>
    Number((await db.$queryRawUnsafe<{ log: number | bigint }[]>("PRAGMA wal_checkpoint(PASSIVE)"))[0]?.log ?? 0);
  if ((await walPages()) < walPagesBeforeFinish) return;
  const giveUpAt = performance.now() + 1000;
  while (performance.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if ((await walPages()) < walPagesBeforeFinish) break;
  }
}

export function parseBatchSize(value: string | undefined): number | null {
  if (value === undefined) return defaultBatchSize;
  if (!/^\d+$/.test(value.trim())) return null;
  const size = Number(value);
  return size >= 1 && size <= maxBatchSize ? size : null;
}

export async function clearTokens(db: Db, options: ClearTokensOptions = {}): Promise<ClearedCounts> {
  const batchSize = options.batchSize ?? defaultBatchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatchSize) {
    throw new RangeError(`batch size must be a whole number from 1 to ${maxBatchSize}`);
  }
  const now = options.now ?? new Date();
  const report = (kind: ClearedKind) => (deleted: number, deleteMs: number) =>
    options.onBatch?.(kind, deleted, deleteMs);
  const pacing: Pacing | undefined =
    options.lockBudgetMs === undefined
      ? undefined
      : {
          lockBudgetMs: options.lockBudgetMs,
          duringPause: providerOf(db) === "sqlite" ? () => checkpointAfterBatch(db) : async () => {},
        };

  // Tokens before codes: a token's link to its code is ON DELETE SET NULL, so fewer links to clear.
  // Each `dead` condition is repeated in the delete, so a row is only removed if it is still dead.
  const deadToken = { OR: [{ expiresAt: { lt: now } }, { revokedAt: { not: null } }] };
  const accessTokens = await clearInBatches(
    {
      nextDead: (cursor, take) => db.accessToken.findMany({ where: { ...deadToken, ...after(cursor) }, take, ...page }),
      deleteIfDead: (ids) => db.accessToken.deleteMany({ where: { ...deadToken, id: { in: ids } } }),
    },
    batchSize,
    report("accessTokens"),
    pacing,
  );
  // A refresh token without expiresAt never expires (`lt` never matches null): kept unless revoked.
  // A rotated one that is neither expired nor revoked is kept for reuse detection.
  const refreshTokens = await clearInBatches(
    {
      nextDead: (cursor, take) =>
        db.refreshToken.findMany({ where: { ...deadToken, ...after(cursor) }, take, ...page }),
      deleteIfDead: (ids) => db.refreshToken.deleteMany({ where: { ...deadToken, id: { in: ids } } }),
    },
    batchSize,
    report("refreshTokens"),
    pacing,
  );
  const expired = { expiresAt: { lt: now } };
  const authorizationCodes = await clearInBatches(
    {
      nextDead: (cursor, take) =>
        db.authorizationCode.findMany({ where: { ...expired, ...after(cursor) }, take, ...page }),
      deleteIfDead: (ids) => db.authorizationCode.deleteMany({ where: { ...expired, id: { in: ids } } }),
    },
    batchSize,
    report("authorizationCodes"),
    pacing,
  );
  const deviceCodes = await clearInBatches(
    {
      nextDead: (cursor, take) => db.deviceCode.findMany({ where: { ...expired, ...after(cursor) }, take, ...page }),
      deleteIfDead: (ids) => db.deviceCode.deleteMany({ where: { ...expired, id: { in: ids } } }),
    },
    batchSize,
    report("deviceCodes"),
    pacing,
  );
  // A consent renewed between the read and the delete has a new expiresAt and survives.
  const consents = await clearInBatches(
    {
      nextDead: (cursor, take) => db.consent.findMany({ where: { ...expired, ...after(cursor) }, take, ...page }),
      deleteIfDead: (ids) => db.consent.deleteMany({ where: { ...expired, id: { in: ids } } }),
    },
    batchSize,
    report("consents"),
    pacing,
  );
  const stale = expiredSignInFailures(now);
  const signInFailures = await clearInBatches(
    {
      nextDead: (cursor, take) => db.signInFailure.findMany({ where: { ...stale, ...after(cursor) }, take, ...page }),
      deleteIfDead: (ids) => db.signInFailure.deleteMany({ where: { ...stale, id: { in: ids } } }),
    },
    batchSize,
    report("signInFailures"),
    pacing,
  );
  const staleClientAuth = failuresOlderThan(now, settings().clientAuthThrottle.window);
  const clientAuthFailures = await clearInBatches(
    {
      nextDead: (cursor, take) =>
        db.clientAuthFailure.findMany({ where: { ...staleClientAuth, ...after(cursor) }, take, ...page }),
      deleteIfDead: (ids) => db.clientAuthFailure.deleteMany({ where: { ...staleClientAuth, id: { in: ids } } }),
    },
    batchSize,
    report("clientAuthFailures"),
    pacing,
  );
  const staleUserCodes = failuresOlderThan(now, settings().deviceAuthorization.window);
  const userCodeFailures = await clearInBatches(
    {
      nextDead: (cursor, take) =>
        db.userCodeFailure.findMany({ where: { ...staleUserCodes, ...after(cursor) }, take, ...page }),
      deleteIfDead: (ids) => db.userCodeFailure.deleteMany({ where: { ...staleUserCodes, id: { in: ids } } }),
    },
    batchSize,
    report("userCodeFailures"),
    pacing,
  );
  // Expiry only moves forward here too: lastSeenAt is only written while a session is live, so an
  // idle one never becomes live again.
  const idleTimeout = (options.sessionLifetimes ?? settings().sessions).idleTimeout;
  const deadSession = {
    OR: [
      { revokedAt: { not: null } },
      { expiresAt: { lt: now } },
      { lastSeenAt: { lt: new Date(now.getTime() - idleTimeout * 1000) } },
    ],
  };
  const sessions = await clearInBatches(
    {
      nextDead: (cursor, take) => db.session.findMany({ where: { ...deadSession, ...after(cursor) }, take, ...page }),
      deleteIfDead: (ids) => db.session.deleteMany({ where: { ...deadSession, id: { in: ids } } }),
    },
    batchSize,
    report("sessions"),
    pacing,
  );
  const expiredResetLink = expiredPasswordResetTokens(now);
  const passwordResetTokens = await clearInBatches(
    {
      nextDead: (cursor, take) =>
        db.passwordResetToken.findMany({ where: { ...expiredResetLink, ...after(cursor) }, take, ...page }),
      deleteIfDead: (ids) => db.passwordResetToken.deleteMany({ where: { ...expiredResetLink, id: { in: ids } } }),
    },
    batchSize,
    report("passwordResetTokens"),
    pacing,
  );
  return {
    accessTokens,
    refreshTokens,
    authorizationCodes,
    deviceCodes,
    consents,
    signInFailures,
    clientAuthFailures,
    userCodeFailures,
    sessions,
    passwordResetTokens,
  };
}
