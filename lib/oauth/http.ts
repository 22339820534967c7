/**
 * The one bridge between HTTP and the protocol core: reads a request into parameters, and turns a
 * result or an OAuthError into a Response in the RFC's shape (JSON, Cache-Control: no-store).
 * Web-standard Request/Response only, so it runs under any server.
 */
import { OAuthError } from "./errors.ts";
import { parseParams, type Params } from "./params.ts";

/** No legitimate token, revocation or introspection request comes near this size. */
export const maxBodyBytes = 16 * 1024;

const noStore = { "Cache-Control": "no-store", Pragma: "no-cache" };

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json;charset=UTF-8", ...noStore, ...headers },
  });
}

/** Reads at most maxBodyBytes of the body; a larger one is refused without reading the rest. */
async function readLimited(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBodyBytes)
    throw new OAuthError("invalid_request", "The request body is too large", { status: 413 });
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBodyBytes) {
      await reader.cancel();
      throw new OAuthError("invalid_request", "The request body is too large", { status: 413 });
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new OAuthError("invalid_request", "The request body is not valid UTF-8");
  }
}

/** A form-encoded POST body (RFC 6749 §3.2), with repeated parameters refused. */
export async function readForm(request: Request): Promise<Params> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new OAuthError("invalid_request", "The body must be application/x-www-form-urlencoded");
  }
  return parseParams(await readLimited(request));
}

export function errorResponse(error: OAuthError, headers: HeadersInit = {}): Response {
  const challenge: Record<string, string> = {};
  if (error.code === "invalid_client") challenge["WWW-Authenticate"] = 'Basic realm="Portcullis"';
  if (error.code === "invalid_token" || error.code === "insufficient_scope") {
    const description = error.description.replace(/["\\]/g, "");
    challenge["WWW-Authenticate"] =
      `Bearer realm="Portcullis", error="${error.code}", error_description="${description}"`;
  }
  return json(error.toJSON(), error.status, { ...challenge, ...headers });
}

/**
 * Runs an endpoint body: protocol errors become the RFC's error response; anything unexpected is
 * logged and answered with server_error, never with a stack trace.
 */
export async function respond(body: () => Promise<Response>, headers: HeadersInit = {}): Promise<Response> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof OAuthError) return errorResponse(error, headers);
    console.error("OAuth endpoint failed:", error);
    return errorResponse(new OAuthError("server_error", "The server could not complete the request"), headers);
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
export function preflight(origin: string | null, allowed: boolean, methods: string): Response {
  if (!origin || !allowed) return new Response(null, { status: 204, headers: { Vary: "Origin" } });
  return new Response(null, {
    status: 204,
    headers: {
      ...corsHeaders(origin, true),
      "Access-Control-Allow-Methods": methods,
      "Access-Control-Allow-Headers": "Authorization, Content-Type",
      "Access-Control-Max-Age": "600",
    },
  });
}
