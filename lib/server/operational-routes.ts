/**
 * The routes operators' tools call, answered by server.ts before Next (like the protocol's):
 * - GET /api/ready: 200 when the database answers and every migration of this version is
 *   applied, else 503 with the reason (a load balancer sends no traffic until then).
 *   /api/health (app/api/health) says only that the process is alive, and stays that cheap.
 * - GET /metrics: Prometheus's text format, for a bearer of PORTCULLIS_METRICS_TOKEN; the path
 *   does not exist (404, from Next) when no token is set.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { settings } from "../config/settings.ts";
import { db, poolStatsOf } from "../db/client.ts";
import { migrationsDirFor, pendingMigrations, readMigrations } from "../db/migrate.ts";
import { parseDatabaseUrl } from "../db/url.ts";
import { log } from "../log/logger.ts";
import { exposition, metrics } from "../metrics/metrics.ts";
import type { HttpRequest, HttpResponse } from "../oauth/http.ts";
import { projectRoot } from "../setup/bootstrap.ts";

type Route = (request: HttpRequest) => Promise<HttpResponse>;

const noStore = { "Cache-Control": "no-store" };

let expectedMigrations: string[] | undefined;

async function ready(): Promise<HttpResponse> {
  const answer = (status: number, body: object) => ({
    status,
    headers: { ...noStore, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  try {
    expectedMigrations ??= readMigrations(migrationsDirFor(parseDatabaseUrl(settings().databaseUrl), projectRoot)).map(
      (migration) => migration.name,
    );
    const pending = await pendingMigrations(db(), expectedMigrations);
    if (pending.length > 0) return answer(503, { status: "migrations pending", pending });
    return answer(200, { status: "ready" });
  } catch (error) {
    log().warn(
      { cause: error instanceof Error ? error.message.trim().split("\n").at(-1) : String(error) },
      "not ready",
    );
    return answer(503, { status: "database unavailable" });
  }
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Whether `authorization` is `Bearer <token>` (compared in constant time). */
function bearerMatches(authorization: string | null, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(authorization ?? "");
  return match !== null && timingSafeEqual(digest(match[1]!.trim()), digest(token));
}

async function metricsRoute(request: HttpRequest): Promise<HttpResponse> {
  if (!bearerMatches(request.header("authorization"), settings().metricsToken!)) {
    return {
      status: 401,
      headers: {
        ...noStore,
        "Content-Type": "text/plain; charset=utf-8",
        "WWW-Authenticate": 'Bearer realm="metrics"',
      },
      body: "A bearer token is required.",
    };
  }
  const { body, contentType } = await exposition();
  return { status: 200, headers: { ...noStore, "Content-Type": contentType }, body };
}

/** The GET route at `path`, if it is one of these. */
export function operationalRoute(path: string): Route | undefined {
  if (path === "/api/ready") return ready;
  if (path === "/metrics" && settings().metricsToken) {
    metrics().usePoolStats(() => poolStatsOf(db()));
    return metricsRoute;
  }
  return undefined;
}
