/**
 * The protocol's machine-to-machine endpoints, by path and method, on framework-neutral requests
 * and responses (./http.ts). Both servers dispatch to these: Next's route handlers in app/ (through
 * lib/server/web-route.ts) and server.ts, which hands these paths over before Next's router.
 */
import type { ProtocolContext } from "./context.ts";
import { corsEndpoint, corsPreflight } from "./cors.ts";
import { handleDeviceAuthorization } from "./device-authorization.ts";
import { authorizationServerMetadata, openidConfiguration } from "./discovery.ts";
import { json, jsonDocument, readForm, type HttpRequest, type HttpResponse } from "./http.ts";
import type { TokenRequestOrigin } from "./grants/grant.ts";
import { handleIntrospection } from "./introspect.ts";
import { jwksMaxAgeSeconds } from "./oidc/keys.ts";
import { parseParams } from "./params.ts";
import { handleRevocation } from "./revoke.ts";
import { handleTokenRequest } from "./token.ts";
import { handleUserinfo } from "./userinfo.ts";
import { clientIp } from "../request-ip.ts";

export type Method = "GET" | "POST" | "OPTIONS";
export type EndpointHandler = (ctx: ProtocolContext, request: HttpRequest) => Promise<HttpResponse>;
export type Endpoint = Partial<Record<Method, EndpointHandler>>;

const originOf = (request: HttpRequest): TokenRequestOrigin => ({
  ip: clientIp({ get: (name) => request.header(name) }),
});

const preflightFor =
  (methods: string): EndpointHandler =>
  (ctx, request) =>
    corsPreflight(ctx, request, methods);

export const tokenEndpoint = {
  POST: (ctx, request) =>
    corsEndpoint(ctx, request, async (corsFor) => {
      const result = await handleTokenRequest(
        ctx,
        await readForm(request),
        request.header("authorization"),
        originOf(request),
      );
      return json(result.response, 200, corsFor(result.client.allowedOrigins));
    }),
  OPTIONS: preflightFor("POST, OPTIONS"),
} satisfies Endpoint;

export const deviceAuthorizationEndpoint = {
  POST: (ctx, request) =>
    corsEndpoint(ctx, request, async (corsFor) => {
      const { client, response } = await handleDeviceAuthorization(
        ctx,
        await readForm(request),
        request.header("authorization"),
        originOf(request),
      );
      return json(response, 200, corsFor(client.allowedOrigins));
    }),
  OPTIONS: preflightFor("POST, OPTIONS"),
} satisfies Endpoint;

export const revocationEndpoint = {
  POST: (ctx, request) =>
    corsEndpoint(ctx, request, async (corsFor) => {
      const { client } = await handleRevocation(
        ctx,
        await readForm(request),
        request.header("authorization"),
        originOf(request),
      );
      // RFC 7009 §2.2: 200 with an empty body, whether or not the token was found.
      return { status: 200, headers: { "Cache-Control": "no-store", ...corsFor(client.allowedOrigins) }, body: "" };
    }),
  OPTIONS: preflightFor("POST, OPTIONS"),
} satisfies Endpoint;

export const introspectionEndpoint = {
  POST: (ctx, request) =>
    corsEndpoint(ctx, request, async (corsFor) => {
      const params = await readForm(request);
      const { response, clientId } = await handleIntrospection(
        ctx,
        params,
        request.header("authorization"),
        originOf(request),
      );
      const client = await ctx.store.findClient(clientId);
      return json(response, 200, corsFor(client?.allowedOrigins ?? []));
    }),
  OPTIONS: preflightFor("POST, OPTIONS"),
} satisfies Endpoint;

const userinfo: EndpointHandler = (ctx, request) =>
  corsEndpoint(ctx, request, async (corsFor) => {
    // RFC 6750 §2.2: POST may carry the token in a form body instead of the header.
    const params =
      request.method === "POST" && request.header("content-type") ? await readForm(request) : parseParams("");
    const { claims, clientId } = await handleUserinfo(ctx, params, request.header("authorization"));
    const client = await ctx.store.findClient(clientId);
    return json(claims, 200, corsFor(client?.allowedOrigins ?? []));
  });

export const userinfoEndpoint = {
  GET: userinfo,
  POST: userinfo,
  OPTIONS: preflightFor("GET, POST, OPTIONS"),
} satisfies Endpoint;

export const jwksEndpoint = {
  GET: async (ctx, request) => {
    const origin = request.header("origin");
    const registered = origin !== null && (await ctx.store.isRegisteredOrigin(origin));
    return corsEndpoint(ctx, request, async (corsFor) =>
      jsonDocument(await ctx.keys.publicJwks(), {
        "Content-Type": "application/jwk-set+json",
        // A new key is published for longer than this before it signs (keys.ts publishLeadMs).
        "Cache-Control": `public, max-age=${jwksMaxAgeSeconds}`,
        ...corsFor(registered && origin ? [origin] : []),
      }),
    );
  },
  OPTIONS: preflightFor("GET, OPTIONS"),
} satisfies Endpoint;

const publicMetadata = { "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" };

export const openidConfigurationEndpoint = {
  GET: async (ctx) => jsonDocument(openidConfiguration(ctx.config, await ctx.scopes.read()), publicMetadata),
} satisfies Endpoint;

export const authorizationServerMetadataEndpoint = {
  GET: async (ctx) => jsonDocument(authorizationServerMetadata(ctx.config, await ctx.scopes.read()), publicMetadata),
} satisfies Endpoint;

export const protocolRoutes: ReadonlyMap<string, Endpoint> = new Map<string, Endpoint>([
  ["/oauth/token", tokenEndpoint],
  ["/oauth/device_authorization", deviceAuthorizationEndpoint],
  ["/oauth/revoke", revocationEndpoint],
  ["/oauth/introspect", introspectionEndpoint],
  ["/oauth/userinfo", userinfoEndpoint],
  ["/oauth/jwks", jwksEndpoint],
  ["/.well-known/openid-configuration", openidConfigurationEndpoint],
  ["/.well-known/oauth-authorization-server", authorizationServerMetadataEndpoint],
]);
