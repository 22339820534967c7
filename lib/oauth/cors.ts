/**
 * CORS for the endpoints browsers call (token, revoke, introspect, userinfo, jwks): a response is
 * readable cross-origin only by an origin an application registered. Once the endpoint knows the
 * client, that client's own origins decide; preflights and errors fall back to "some application
 * registered it", because the client is not known yet.
 */
import type { ProtocolContext } from "./context.ts";
import { corsHeaders, preflight, respond } from "./http.ts";

export async function corsPreflight(ctx: ProtocolContext, request: Request, methods: string): Promise<Response> {
  const origin = request.headers.get("origin");
  return preflight(origin, origin !== null && (await ctx.store.isRegisteredOrigin(origin)), methods);
}

/** Runs an endpoint; `body` gets a function that makes CORS headers for the client it identified. */
export async function corsEndpoint(
  ctx: ProtocolContext,
  request: Request,
  body: (corsFor: (allowedOrigins: readonly string[]) => Record<string, string>) => Promise<Response>,
): Promise<Response> {
  const origin = request.headers.get("origin");
  const response = await respond(() =>
    body((allowed) => corsHeaders(origin, origin !== null && allowed.includes(origin))),
  );
  if (origin && !response.headers.has("Access-Control-Allow-Origin") && response.status >= 400) {
    if (await ctx.store.isRegisteredOrigin(origin).catch(() => false)) {
      for (const [name, value] of Object.entries(corsHeaders(origin, true))) response.headers.set(name, value);
    }
  }
  if (!response.headers.has("Vary")) response.headers.set("Vary", "Origin");
  return response;
}
