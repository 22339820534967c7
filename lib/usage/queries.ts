/**
 * Reads of the usage counters (lib/usage/counter.ts) for the dashboard and each application's
 * Usage tab. Days are UTC, as counted; a window of N days ends today and every day in it is
 * present, zero when nothing was counted. Grant types the server does not offer (a failed request
 * may name anything) are grouped as "other".
 */
import type { Db } from "../db/client.ts";
import { grantTypes, isGrantType, type GrantType } from "../oauth/grant-types.ts";

export const usageWindowDays = 30;

export type UsageGrantType = GrantType | "other";
/** Chart order: the grant types in the server's order, then everything else. */
const usageGrantTypes: readonly UsageGrantType[] = [...grantTypes, "other"];

export interface DailySeries {
  /** YYYY-MM-DD, oldest first, one per day of the window. */
  days: string[];
  /** Counts per grant type, aligned with `days`; only grant types with a non-zero total. */
  byGrantType: { grantType: UsageGrantType; counts: number[]; total: number }[];
  /** Sum over grant types, per day. */
  totals: number[];
  total: number;
}

export interface UsageWindowOptions {
  now?: Date;
  days?: number;
}

const dayMs = 24 * 3600 * 1000;

/** The UTC days of a window ending on `now`'s day, oldest first. */
export function windowDays(now: Date = new Date(), days = usageWindowDays): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: days }, (_, index) =>
    new Date(today - (days - 1 - index) * dayMs).toISOString().slice(0, 10),
  );
}

function grantGroup(grantType: string): UsageGrantType {
  return isGrantType(grantType) ? grantType : "other";
}

export interface DailyUsage {
  issued: DailySeries;
  failed: DailySeries;
}

/**
 * Per-day counts by grant type, issued and failed, for one application or (without one) for all:
 * one read of the window, which walks every counter row in it.
 */
export async function dailyUsage(
  db: Db,
  filter: { applicationId?: string },
  options: UsageWindowOptions = {},
): Promise<DailyUsage> {
  const days = windowDays(options.now, options.days);
  const rows = await db.usageCounter.groupBy({
    by: ["day", "grantType", "outcome"],
    where: {
      // (applicationId, day) index for one application; the primary key's leading day otherwise.
      ...(filter.applicationId !== undefined ? { applicationId: filter.applicationId } : {}),
      day: { gte: days[0]!, lte: days[days.length - 1]! },
    },
    _sum: { count: true },
  });
  return {
    issued: seriesOf(
      days,
      rows.filter((row) => row.outcome === "issued"),
    ),
    failed: seriesOf(
      days,
      rows.filter((row) => row.outcome === "failed"),
    ),
  };
}

function seriesOf(days: string[], rows: { day: string; grantType: string; _sum: { count: number | null } }[]) {
  const position = new Map(days.map((day, index) => [day, index]));
  const series = new Map<UsageGrantType, number[]>();
  for (const row of rows) {
    const index = position.get(row.day);
    const count = row._sum.count ?? 0;
    if (index === undefined || count === 0) continue;
    const group = grantGroup(row.grantType);
    const counts = series.get(group) ?? days.map(() => 0);
    counts[index]! += count;
    series.set(group, counts);
  }
  const byGrantType = usageGrantTypes
    .filter((grantType) => series.has(grantType))
    .map((grantType) => {
      const counts = series.get(grantType)!;
      return { grantType, counts, total: counts.reduce((sum, count) => sum + count, 0) };
    });
  const totals = days.map((_, index) => byGrantType.reduce((sum, series) => sum + series.counts[index]!, 0));
  return { days, byGrantType, totals, total: totals.reduce((sum, count) => sum + count, 0) };
}

export interface DashboardTotals {
  applications: number;
  users: number;
  /** Access tokens neither expired nor revoked, now. */
  activeAccessTokens: number;
  issuedInWindow: number;
  failedInWindow: number;
}

export interface DashboardSummary {
  totals: DashboardTotals;
  issued: DailySeries;
  failed: DailySeries;
  top: TopApplication[];
}

/**
 * Everything the dashboard shows. The window's totals are the daily series' sums, not queries of
 * their own: each read of the window walks every counter row in it (one per application, day,
 * grant type, outcome and error).
 */
export async function dashboardSummary(
  db: Db,
  options: UsageWindowOptions & { topLimit?: number } = {},
): Promise<DashboardSummary> {
  const now = options.now ?? new Date();
  const window = { now, days: options.days };
  const [applications, users, activeAccessTokens, { issued, failed }, top] = await Promise.all([
    db.application.count(),
    db.user.count(),
    // Answered from the (expiresAt, revokedAt) index alone.
    db.accessToken.count({ where: { revokedAt: null, expiresAt: { gt: now } } }),
    dailyUsage(db, {}, window),
    topApplications(db, { ...window, limit: options.topLimit ?? 5 }),
  ]);
  return {
    totals: { applications, users, activeAccessTokens, issuedInWindow: issued.total, failedInWindow: failed.total },
    issued,
    failed,
    top,
  };
}

export interface TopApplication {
  id: string;
  /** The current name; null when the application has been deleted since (counts outlive it). */
  name: string | null;
  issued: number;
  failed: number;
}

/** The applications that were issued the most tokens in the window, most first. */
export async function topApplications(
  db: Db,
  options: UsageWindowOptions & { limit?: number } = {},
): Promise<TopApplication[]> {
  const days = windowDays(options.now, options.days);
  const window = { gte: days[0]!, lte: days[days.length - 1]! };
  const top = await db.usageCounter.groupBy({
    by: ["applicationId"],
    where: { day: window, outcome: "issued", applicationId: { not: "" } },
    _sum: { count: true },
    orderBy: [{ _sum: { count: "desc" } }, { applicationId: "asc" }],
    take: options.limit ?? 5,
  });
  if (top.length === 0) return [];
  const ids = top.map((row) => row.applicationId);
  const [apps, failures] = await Promise.all([
    db.application.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }),
    db.usageCounter.groupBy({
      by: ["applicationId"],
      where: { day: window, outcome: "failed", applicationId: { in: ids } },
      _sum: { count: true },
    }),
  ]);
  const names = new Map(apps.map((app) => [app.id, app.name]));
  const failed = new Map(failures.map((row) => [row.applicationId, row._sum.count ?? 0]));
  return top
    .map((row) => ({
      id: row.applicationId,
      name: names.get(row.applicationId) ?? null,
      issued: row._sum.count ?? 0,
      failed: failed.get(row.applicationId) ?? 0,
    }))
    .filter((row) => row.issued > 0);
}
