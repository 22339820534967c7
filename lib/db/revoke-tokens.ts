/**
 * Revoking a set of tokens so that none escapes a concurrent refresh or code exchange.
 *
 * On PostgreSQL (READ COMMITTED) an UPDATE sees the rows committed before it started. A refresh
 * rotating a token at that moment holds the old token's row: the UPDATE waits for it, then revokes
 * the old token, but the successor the refresh inserted was not in its snapshot and would stay live.
 * So the UPDATEs repeat until a round finds nothing left to revoke: any rotation still in flight
 * holds an unrevoked token of the set, which the round would have counted, and one not yet started
 * will find its token revoked and fail. (On SQLite writes are serialized and one round suffices;
 * the second, empty round is the price of one rule for both.)
 */
import type { Db } from "./client.ts";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface TokenSet {
  applicationId?: string;
  userId?: string;
  familyId?: string;
  authorizationCodeId?: string;
}

/** A bound on rounds: each one needs a client to complete a whole refresh in between. */
const maxRounds = 50;

export async function revokeTokenSet(tx: Tx | Db, set: TokenSet, now: Date): Promise<void> {
  const where = { ...set, revokedAt: null };
  for (let round = 0; round < maxRounds; round++) {
    const refresh = await tx.refreshToken.updateMany({ where, data: { revokedAt: now } });
    const access = await tx.accessToken.updateMany({ where, data: { revokedAt: now } });
    if (refresh.count === 0 && access.count === 0) return;
  }
}

/**
 * Marks unexchanged codes as used, waiting for an exchange in flight to commit first (it holds the
 * code's row): afterwards every token a code paid for is visible to revokeTokenSet.
 */
export async function closeCodes(
  tx: Tx | Db,
  where: { id?: string; applicationId?: string; userId?: string },
  now: Date,
): Promise<number> {
  const { count } = await tx.authorizationCode.updateMany({
    where: { ...where, consumedAt: null },
    data: { consumedAt: now },
  });
  return count;
}
