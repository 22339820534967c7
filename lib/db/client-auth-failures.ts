/** Failed client authentications (lib/oauth/client-auth-throttle.ts's port) in the ClientAuthFailure table. */
import type { ClientAuthFailures } from "../oauth/client-auth-throttle.ts";
import type { Db } from "./client.ts";

export function prismaClientAuthFailures(db: Db): ClientAuthFailures {
  /** Seconds until fewer than `limit` of the matching failures are in the window: when the limit-th latest leaves it. */
  async function secondsUntilUnder(
    where: { clientId?: string; source: string },
    limit: number,
    window: number,
    now: Date,
  ): Promise<number> {
    const since = new Date(now.getTime() - window * 1000);
    const limiting = await db.clientAuthFailure.findFirst({
      where: { ...where, failedAt: { gt: since } },
      orderBy: [{ failedAt: "desc" }, { id: "desc" }],
      skip: limit - 1,
      select: { failedAt: true },
    });
    if (!limiting) return 0;
    return Math.max(0, (limiting.failedAt.getTime() + window * 1000 - now.getTime()) / 1000);
  }

  return {
    async record({ clientId, source }, at) {
      await db.clientAuthFailure.create({ data: { clientId, source, failedAt: at }, select: { id: true } });
    },
    async retryAfter({ clientId, source }, limits, now) {
      const [pair, address] = await Promise.all([
        secondsUntilUnder({ clientId, source }, limits.limit, limits.window, now),
        secondsUntilUnder({ source }, limits.addressLimit, limits.window, now),
      ]);
      return Math.ceil(Math.max(pair, address));
    },
  };
}

/** Failures too old to count, for clear-tokens. */
export const expiredClientAuthFailures = (now: Date, windowSeconds: number) => ({
  failedAt: { lte: new Date(now.getTime() - windowSeconds * 1000) },
});
