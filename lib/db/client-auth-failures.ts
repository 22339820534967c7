/** Failed client authentications (lib/oauth/client-auth-throttle.ts's port) in the ClientAuthFailure table. */
import type { ClientAuthFailures } from "../oauth/client-auth-throttle.ts";
import type { Db } from "./client.ts";
import { nthLatestQuery, secondsUntilUnder } from "./failure-window.ts";

export function prismaClientAuthFailures(db: Db): ClientAuthFailures {
  const nthLatest = (where: { clientId?: string; source: string }) => async (since: Date, skip: number) =>
    (await db.clientAuthFailure.findFirst(nthLatestQuery(where, since, skip)))?.failedAt ?? null;

  return {
    async record({ clientId, source }, at) {
      await db.clientAuthFailure.create({ data: { clientId, source, failedAt: at }, select: { id: true } });
    },
    async retryAfter({ clientId, source }, limits, now) {
      const [pair, address] = await Promise.all([
        secondsUntilUnder(nthLatest({ clientId, source }), limits.limit, limits.window, now),
        secondsUntilUnder(nthLatest({ source }), limits.addressLimit, limits.window, now),
      ]);
      return Math.ceil(Math.max(pair, address));
    },
  };
}

/** Failures too old to count, for clear-tokens. */
export const expiredClientAuthFailures = (now: Date, windowSeconds: number) => ({
  failedAt: { lte: new Date(now.getTime() - windowSeconds * 1000) },
});
