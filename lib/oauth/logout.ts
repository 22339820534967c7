/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). The user is sent back only to a
 * post-logout redirect URI registered for the client, identified by client_id or by an ID token
 * this server signed (id_token_hint; an expired one still identifies the client).
 */
import { compactVerify, createLocalJWKSet } from "jose";
import type { ProtocolContext } from "./context.ts";
import { parseParams } from "./params.ts";
import type { ClientRecord } from "./store.ts";

export interface LogoutRequest {
  client: ClientRecord | null;
  /** Where to send the user afterwards (state appended), when the request names a registered URI. */
  returnTo: string | null;
  /** Why the requested return address was not honoured, for the page to say. */
  problem: string | null;
}

async function hintedClientId(ctx: ProtocolContext, idToken: string): Promise<string | null> {
  try {
    const { payload } = await compactVerify(idToken, createLocalJWKSet(await ctx.keys.publicJwks()));
    const claims = JSON.parse(new TextDecoder().decode(payload)) as { iss?: string; aud?: string | string[] };
    if (claims.iss !== ctx.config.issuer) return null;
    return Array.isArray(claims.aud) ? (claims.aud.length === 1 ? claims.aud[0]! : null) : (claims.aud ?? null);
  } catch {
    return null;
  }
}

export async function validateLogoutRequest(ctx: ProtocolContext, query: URLSearchParams): Promise<LogoutRequest> {
  let params;
  try {
    params = parseParams(query);
  } catch {
    return { client: null, returnTo: null, problem: "The sign-out request repeats a parameter." };
  }
  const hint = params.get("id_token_hint");
  const requestedReturn = params.get("post_logout_redirect_uri");
  const hinted = hint ? await hintedClientId(ctx, hint) : null;
  if (hint && !hinted)
    return {
      client: null,
      returnTo: null,
      problem: "The sign-out request carries an ID token this server did not issue.",
    };
  const named = params.get("client_id") ?? null;
  if (hinted && named && hinted !== named)
    return { client: null, returnTo: null, problem: "The sign-out request names two different applications." };
  const clientId = hinted ?? named;
  const client = clientId ? await ctx.store.findClient(clientId) : null;
  if (!requestedReturn) return { client, returnTo: null, problem: null };
  if (!client || !client.postLogoutRedirectUris.includes(requestedReturn)) {
    return {
      client,
      returnTo: null,
      problem: "The application asked to return you to an address it has not registered.",
    };
  }
  const url = new URL(requestedReturn);
  const state = params.get("state");
  if (state !== undefined) url.searchParams.set("state", state);
  return { client, returnTo: url.toString(), problem: null };
}
