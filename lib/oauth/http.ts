/**
 * The one bridge between HTTP and the protocol core: reads a request into parameters, and turns a
 * result or an OAuthError into a response in the RFC's shape (JSON, Cache-Control: no-store).
 *
 * Requests and responses are plain, framework-neutral shapes (node-oidc-provider's approach), not
 * the Web Request/Response: each server adapts its own (lib/server/web-route.ts for Next's route
 * handlers, server.ts for Node's http). server.ts used to build a Web Request for each call (an
 * AbortSignal, a Headers, a body stream) and read a Web Response back; token endpoint, SQLite, 50
 * connections flooding, old and new code alternately on the same machine, three rounds each:
 * 3,340-3,690 → 4,850-5,470 req/s with wrk, and p99 34-40 → 26-28 ms with autocannon.
 */
import { isDatabaseUnavailable, retryAfterSeconds } from "../database-unavailable.ts";
import { log } from "../log/logger.ts";
import { BearerTokenRequired, OAuthError } from "./errors.ts";
import { parseParams, type Params } from "./params.ts";

export interface HttpRequest {
  readonly method: string;
  /** A request header by name (any case), or null. */
  header(name: string): string | null;
  /** The body as UTF-8 text, at most maxBodyBytes; anything else is a 413 or 400 invalid_request. */
  text(): Promise<string>;
}

export interface HttpResponse {
  status: number;
  /** Names as written here (one spelling each), values as sent. */
  headers: Record<string, string>;
  /** "" for no body. */
  body: string;
}

/** No legitimate token, revocation or introspection request comes near this size. */
export const maxBodyBytes = 16 * 1024;

export const bodyTooLarge = () => new OAuthError("invalid_request", "The request body is too large", { status: 413 });

/** A body's bytes as UTF-8 text; malformed UTF-8 is the client's error. */
export function decodeBody(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new OAuthError("invalid_request", "The request body is not valid UTF-8");
  }
}

/**
 * A Web request's body, or null when it is larger than `maxBytes` (reading stops there, and a
 * Content-Length above it is refused without reading at all).
 */
export async function readWebBody(request: Request, maxBytes: number): Promise<Buffer | null> {
  if (Number(request.headers.get("content-length") ?? "0") > maxBytes) return null;
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

const noStore = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** A JSON document others may cache (metadata, keys): `headers` say for how long. */
export function jsonDocument(body: unknown, headers: Record<string, string>): HttpResponse {
  return { status: 200, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** A protocol answer: JSON that no cache keeps. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { "Content-Type": "application/json;charset=UTF-8", ...noStore, ...headers },
    body: JSON.stringify(body),
  };
}

/** A form-encoded POST body (RFC 6749 §3.2), with repeated parameters refused. */
export async function readForm(request: HttpRequest): Promise<Params> {
  const type = request.header("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new OAuthError("invalid_request", "The body must be application/x-www-form-urlencoded");
  }
  return parseParams(await request.text());
}

export function errorResponse(error: OAuthError, headers: Record<string, string> = {}): HttpResponse {
  const challenge: Record<string, string> = { ...error.headers };
  // RFC 6749 §5.2: a 401 invalid_client carries the challenge (a 429 is not a challenge to retry).
  if (error.code === "invalid_client" && error.status === 401)
    challenge["WWW-Authenticate"] = 'Basic realm="Portcullis"';
  if (error.code === "invalid_token" || error.code === "insufficient_scope") {
    const description = error.description.replace(/["\\]/g, "");
    challenge["WWW-Authenticate"] =
      `Bearer realm="Portcullis", error="${error.code}", error_description="${description}"`;
  }
  return json(error.toJSON(), error.status, { ...challenge, ...headers });
}

const serverError = () => new OAuthError("server_error", "The server could not complete the request");

/** RFC 6749 §4.1.2.1 (and the error registry for the other endpoints): try again shortly. */
export const temporarilyUnavailable = () =>
  new OAuthError("temporarily_unavailable", "The server is temporarily unavailable; try again shortly");

/**
 * The answer to an error no endpoint turned into a protocol error: the database out of reach is
 * temporary (503, Retry-After, temporarily_unavailable), so clients retry rather than fail;
 * anything else is a server_error. Both are logged, never sent.
 */
export function failureResponse(error: unknown, where: string): HttpResponse {
  if (isDatabaseUnavailable(error)) {
    // One line: an outage fails every request, and each stack trace would say the same.
    log().error({ where, cause: describeError(error) }, "the database is unavailable (answered 503)");
    return errorResponse(temporarilyUnavailable(), { "Retry-After": String(retryAfterSeconds) });
  }
  log().error({ where, err: error }, "request failed");
  return errorResponse(serverError());
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Prisma's messages start with the invocation site over several lines; the cause is at the end.
  return message.trim().split("\n").filter(Boolean).at(-1) ?? message;
}

/** An error the server answers with, for the log: its code, status, description and detail. */
export function logOAuthError(error: OAuthError): void {
  // The code and descriptions are the server's own words: safe to log, unlike the request's values.
  log().info(
    { error: error.code, status: error.status, description: error.description, detail: error.detail },
    "OAuth error",
  );
}

/**
 * Runs an endpoint body: protocol errors become the RFC's error response; anything unexpected is
 * logged and answered by failureResponse, never with a stack trace.
 */
export async function respond(body: () => Promise<HttpResponse>): Promise<HttpResponse> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof OAuthError) {
      logOAuthError(error);
      return errorResponse(error);
    }
    if (error instanceof BearerTokenRequired) {
      return { status: 401, headers: { ...noStore, "WWW-Authenticate": 'Bearer realm="Portcullis"' }, body: "" };
    }
    return failureResponse(error, "OAuth endpoint");
  }
}

/** CORS headers for a browser origin allowed to call an endpoint (credentials are never shared). */
export function corsHeaders(origin: string | null, allowed: boolean): Record<string, string> {
  if (!origin || !allowed) return { Vary: "Origin" };
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Expose-Headers": "WWW-Authenticate",
    Vary: "Origin",
  };
}

/** The answer to a CORS preflight. */
export function preflight(origin: string | null, allowed: boolean, methods: string): HttpResponse {
  if (!origin || !allowed) return { status: 204, headers: { Vary: "Origin" }, body: "" };
  return {
    status: 204,
    headers: {
      ...corsHeaders(origin, true),
      "Access-Control-Allow-Methods": methods,
      "Access-Control-Allow-Headers": "Authorization, Content-Type",
      "Access-Control-Max-Age": "600",
    },
    body: "",
  };
}
