/**
 * Failed token requests over a period, by OAuth error code and by application, from the daily
 * usage counters (lib/usage/counter.ts): what the dashboard's failure counts lead to. Days are UTC
 * and the period ends today. Each read is a GROUP BY over the period's days, which the counters'
 * primary key (day first) or, for one application, its (applicationId, day) index bounds.
 */
import type { Db } from "../db/client.ts";
import { windowDays } from "./queries.ts";

/** The periods the page offers, in days. */
export const failurePeriods = [1, 7, 30, 90] as const;
export type FailurePeriod = (typeof failurePeriods)[number];

/** What each error code usually means at the token endpoint, for the admin reading the list. */
export const failureCodeHelp: Record<string, string> = {
  invalid_client: "Client authentication failed: unknown client_id, wrong or old secret.",
  invalid_grant: "The code, refresh token, device code or password was invalid, expired, used or revoked.",
  invalid_request: "A required parameter was missing or malformed.",
  unauthorized_client: "The client is not allowed this grant type.",
  unsupported_grant_type: "The grant_type is not one this server supports.",
  invalid_scope: "A requested scope is unknown or not allowed to the client.",
  access_denied: "The user or a policy refused.",
  expired_token: "The device code expired before the user answered.",
  server_error: "The server failed while answering: see its log.",
  temporarily_unavailable: "The server could not answer at the time (database unreachable).",
  other: "Any other error code.",
  "": "Not recorded: counted before failures were kept by error code.",
};

export interface FailureQuery {
  days: FailurePeriod;
  /** Only this application's failures ("" for requests that named no known client). */
  applicationId?: string;
  now?: Date;
}

export interface FailureBreakdown {
  /** The period's first and last UTC day (YYYY-MM-DD). */
  from: string;
  to: string;
  total: number;
  byError: { error: string; count: number }[];
  /** With an application filter: its current name (null when it no longer exists, or for no client). */
  filteredName?: string | null;
  byApplication: {
    /** "" for requests that named no known client. */
    id: string;
    /** The current name; null when the application no longer exists (or for no client). */
    name: string | null;
    count: number;
    /** Its error codes, most first. */
    errors: { error: string; count: number }[];
  }[];
}

/** Reads ?days= and ?app= from a URL query; anything else reads as the defaults. */
export function failureQueryFrom(params: Record<string, string | string[] | undefined>): FailureQuery {
  const one = (key: string) => {
    const value = params[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const days = failurePeriods.find((period) => String(period) === one("days")) ?? 30;
  const app = one("app");
  return { days, applicationId: app !== undefined && /^[A-Za-z0-9_-]{0,100}$/.test(app) ? app : undefined };
}

const byCountThenName =
  <T extends { count: number }>(key: (row: T) => string) =>
  (a: T, b: T) =>
    b.count - a.count || key(a).localeCompare(key(b));

export async function failureBreakdown(db: Db, query: FailureQuery): Promise<FailureBreakdown> {
  const days = windowDays(query.now, query.days);
  const from = days[0]!;
  const to = days[days.length - 1]!;
  const rows = await db.usageCounter.groupBy({
    by: ["applicationId", "error"],
    where: {
      day: { gte: from, lte: to },
      outcome: "failed",
      ...(query.applicationId !== undefined ? { applicationId: query.applicationId } : {}),
    },
    _sum: { count: true },
  });
  const errors = new Map<string, number>();
  const apps = new Map<string, Map<string, number>>();
  let total = 0;
  for (const row of rows) {
    const count = row._sum.count ?? 0;
    if (count === 0) continue;
    total += count;
    errors.set(row.error, (errors.get(row.error) ?? 0) + count);
    const perApp = apps.get(row.applicationId) ?? new Map<string, number>();
    perApp.set(row.error, (perApp.get(row.error) ?? 0) + count);
    apps.set(row.applicationId, perApp);
  }
  const ids = [...apps.keys(), ...(query.applicationId ? [query.applicationId] : [])].filter((id) => id !== "");
  const names = new Map(
    (ids.length
      ? await db.application.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })
      : []
    ).map((app) => [app.id, app.name]),
  );
  const countsOf = (map: Map<string, number>) =>
    [...map].map(([error, count]) => ({ error, count })).sort(byCountThenName((row) => row.error));
  return {
    from,
    to,
    total,
    ...(query.applicationId !== undefined ? { filteredName: names.get(query.applicationId) ?? null } : {}),
    byError: countsOf(errors),
    byApplication: [...apps]
      .map(([id, perApp]) => {
        const list = countsOf(perApp);
        return { id, name: names.get(id) ?? null, count: list.reduce((sum, row) => sum + row.count, 0), errors: list };
      })
      .sort(byCountThenName((row) => row.name ?? row.id)),
  };
}
