/**
 * One access line per request (method, route, status, duration, client_id, request id) and the
 * request metrics. Only these fields are written: never the query string, the body or headers
 * other than the client's id, so no secret, code, token or password reaches the log.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { log } from "../log/logger.ts";
import { metrics } from "../metrics/metrics.ts";
import { protocolRoutes } from "../oauth/routes.ts";

/** What the request's handler learns about it along the way. */
export interface RequestNotes {
  clientId?: string;
}

/** Paths that are their own metrics label; anything else is grouped (a bounded set of labels). */
const namedEndpoints = new Set([
  ...protocolRoutes.keys(),
  "/oauth/authorize",
  "/oauth/authorize/decision",
  "/oauth/logout",
  "/api/health",
  "/api/ready",
  "/metrics",
  "/login",
]);
const groups = ["/api/auth", "/admin", "/account", "/_next"];

export function endpointLabel(path: string): string {
  if (namedEndpoints.has(path)) return path;
  return groups.find((group) => path === group || path.startsWith(`${group}/`)) ?? "other";
}

const acceptedRequestId = /^[\w.:-]{1,128}$/;

/** The caller's X-Request-Id when it is a plain token, else a new one. */
function requestIdOf(incoming: IncomingMessage): string {
  const given = incoming.headers["x-request-id"];
  return typeof given === "string" && acceptedRequestId.test(given) ? given : randomUUID();
}

/** The client id of HTTP Basic client authentication (RFC 6749 §2.3.1), never its secret. */
export function basicClientId(authorization: string | undefined): string | undefined {
  if (!authorization || !/^basic /i.test(authorization)) return undefined;
  const decoded = Buffer.from(authorization.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  try {
    return decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")) || undefined;
  } catch {
    return undefined;
  }
}

/** `client_id` of a form body or query string. */
export function formClientId(form: string): string | undefined {
  if (!form.includes("client_id=")) return undefined;
  return new URLSearchParams(form).get("client_id") ?? undefined;
}

/** Logs and counts `incoming` once its answer is sent (or the connection is gone). */
export function observeRequest(incoming: IncomingMessage, outgoing: ServerResponse, path: string): RequestNotes {
  const started = performance.now();
  const requestId = requestIdOf(incoming);
  outgoing.setHeader("X-Request-Id", requestId);
  const notes: RequestNotes = {};
  outgoing.once("close", () => {
    const seconds = (performance.now() - started) / 1000;
    const status = outgoing.writableFinished ? outgoing.statusCode : "aborted";
    const endpoint = endpointLabel(path);
    metrics().request(endpoint, status, seconds);
    const query = incoming.url?.indexOf("?") ?? -1;
    const clientId =
      notes.clientId ??
      basicClientId(incoming.headers.authorization) ??
      (query >= 0 ? formClientId(incoming.url!.slice(query + 1)) : undefined);
    log().info(
      {
        method: incoming.method,
        route: path,
        status,
        duration_ms: Math.round(seconds * 10_000) / 10,
        client_id: clientId,
        request_id: requestId,
      },
      "request",
    );
  });
  return notes;
}
