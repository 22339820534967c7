/**
 * Sliding-window limits on failures stored as rows (failed client authentications, wrong user
 * codes): a key is over its limit while `limit` of its failures are within the window, until the
 * limit-th latest of them leaves it.
 */

/** Reads the time of the `skip`-th latest matching failure after `since` (0 = the latest), or null. */
export type NthLatestFailure = (since: Date, skip: number) => Promise<Date | null>;

/** Seconds until fewer than `limit` of the failures `nthLatest` reads are in the window; 0 when they are now. */
export async function secondsUntilUnder(
  nthLatest: NthLatestFailure,
  limit: number,
  window: number,
  now: Date,
): Promise<number> {
  const limiting = await nthLatest(new Date(now.getTime() - window * 1000), limit - 1);
  if (!limiting) return 0;
  return Math.max(0, (limiting.getTime() + window * 1000 - now.getTime()) / 1000);
}

/** The query that reads the n-th latest failure, for a Prisma delegate's findFirst. */
export const nthLatestQuery = <Where extends object>(where: Where, since: Date, skip: number) => ({
  where: { ...where, failedAt: { gt: since } },
  orderBy: [{ failedAt: "desc" as const }, { id: "desc" as const }],
  skip,
  select: { failedAt: true },
});
