/**
 * The UserInfo endpoint (OpenID Connect Core §5.3) with bearer tokens (RFC 6750): the same claims
 * the ID token carries for the token's scopes. Errors are RFC 6750's, sent in WWW-Authenticate.
 */
import type { ProtocolContext } from "./context.ts";
import { BearerTokenRequired, OAuthError } from "./errors.ts";
import { userClaims } from "./oidc/claims.ts";
import { extraClaims } from "./policy.ts";
import { optional, type Params } from "./params.ts";
import { hashCredential } from "./secrets.ts";
import { scopesOf } from "./token-lookup.ts";

function bearerToken(authorization: string | null, params: Params): string {
  const fromHeader = authorization && /^bearer /i.test(authorization) ? authorization.slice(7).trim() : undefined;
  const fromBody = optional(params, "access_token");
  if (fromHeader !== undefined && fromBody !== undefined) {
    throw new OAuthError("invalid_request", "Send the access token once, not in both the header and the body");
  }
  const token = fromHeader ?? fromBody;
  if (!token) throw new BearerTokenRequired();
  return token;
}

export async function handleUserinfo(
  ctx: ProtocolContext,
  params: Params,
  authorization: string | null,
): Promise<{ claims: Record<string, unknown>; clientId: string }> {
  const token = await ctx.store.findAccessToken(hashCredential(bearerToken(authorization, params)));
  const now = ctx.now();
  if (!token || token.revokedAt || token.expiresAt <= now || !token.userId) {
    throw new OAuthError("invalid_token", "The access token is invalid, expired or revoked");
  }
  const scopes = scopesOf(token.scope);
  // A token granted without openid is not for this endpoint: RFC 6750 §3.1, 403 insufficient_scope.
  if (!scopes.includes("openid")) throw new OAuthError("insufficient_scope", "The access token lacks the openid scope");
  const user = await ctx.store.findUser(token.userId);
  if (!user || user.disabled) throw new OAuthError("invalid_token", "The access token is invalid, expired or revoked");
  await ctx.store.noteAccessTokenUse(token.id, now);
  const client = ctx.policy?.claims ? await ctx.store.findClient(token.clientId) : null;
  const extra = client
    ? await extraClaims(ctx.policy, { client, user, scopes, grantType: token.grantType, purpose: "userinfo" })
    : {};
  return { claims: { ...extra, ...userClaims(user, scopes) }, clientId: token.clientId };
}
