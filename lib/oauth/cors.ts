/**
 * CORS for the endpoints browsers call (token, device authorization, revoke, introspect, userinfo, jwks): a response is
 * readable cross-origin only by an origin an application registered. Once the endpoint knows the
 * client, that client's own origins decide; preflights and errors fall back to "some application
 * registered it", because the client is not known yet.
 */
import type { ProtocolContext } from "./context.ts";
import { corsHeaders, preflight, respond, type HttpRequest, type HttpResponse } from "./http.ts";

export async function corsPreflight(
  ctx: ProtocolContext,
  request: HttpRequest,
  methods: string,
): Promise<HttpResponse> {
  const origin = request.header("origin");
  return preflight(origin, origin !== null && (await ctx.store.isRegisteredOrigin(origin)), methods);
}

/** Runs an endpoint; `body` gets a function that makes CORS headers for the client it identified. */
export async function corsEndpoint(
  ctx: ProtocolContext,
  request: HttpRequest,
  body: (corsFor: (allowedOrigins: readonly string[]) => Record<string, string>) => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const origin = request.header("origin");
  const response = await respond(() =>
    body((allowed) => corsHeaders(origin, origin !== null && allowed.includes(origin))),
  );
  if (origin && !("Access-Control-Allow-Origin" in response.headers) && response.status >= 400) {
    if (await ctx.store.isRegisteredOrigin(origin).catch(() => false)) {
      Object.assign(response.headers, corsHeaders(origin, true));
    }
  }
  response.headers.Vary ??= "Origin";
  return response;
}
