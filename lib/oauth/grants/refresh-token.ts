/**
 * The refresh token grant (RFC 6749 §6) with rotation on every use (RFC 9700 §4.14.2): a rotated
 * token presented again means one of two parties holds a stolen copy, so the whole family is
 * revoked. A grace period (default 0) tolerates a client retrying a request whose answer it lost.
 */
import { invalidGrant, invalidScope } from "../errors.ts";
import { optional, required } from "../params.ts";
import { covers, parseScope } from "../scope.ts";
import { hashCredential } from "../secrets.ts";
import { mintTokens, withIdToken } from "../tokens.ts";
import type { Grant } from "./grant.ts";

export const refreshTokenGrant: Grant = {
  grantType: "refresh_token",
  async handle(ctx, client, params) {
    const token = await ctx.store.findRefreshToken(hashCredential(required(params, "refresh_token")));
    const requested = parseScope(optional(params, "scope"));
    const now = ctx.now();
    const grace = ctx.config.lifetimes.refreshGracePeriod;
    if (!token || token.applicationId !== client.id) throw invalidGrant("The refresh token is invalid");
    if (token.revokedAt) throw invalidGrant("The refresh token has been revoked");
    if (token.expiresAt && token.expiresAt <= now) throw invalidGrant("The refresh token has expired");
    if (token.rotatedAt && now.getTime() - token.rotatedAt.getTime() > grace * 1000) {
      await ctx.store.revokeFamily(token.familyId, now);
      throw invalidGrant("The refresh token has already been used; every token of this grant is now revoked");
    }
    const user = token.userId ? await ctx.store.findUser(token.userId) : null;
    if (token.userId && (!user || user.disabled)) throw invalidGrant("The user of this grant can no longer sign in");

    const granted = token.scope === "" ? [] : token.scope.split(" ");
    if (requested === null) throw invalidScope("The scope parameter is malformed");
    // Scope may be narrowed, never widened.
    if (!covers(granted, requested)) throw invalidScope("A refresh cannot add scopes the user did not grant");
    const scopes = requested.length > 0 ? requested : granted;
    const minted = mintTokens(ctx, {
      client,
      user,
      grantType: "refresh_token",
      scopes,
      refreshScopes: granted,
      withRefreshToken: true,
      familyId: token.familyId,
      authorizationCodeId: token.authorizationCodeId,
      authTime: token.authTime,
    });
    if (!(await ctx.store.rotateRefreshToken(token.id, now, grace, minted.tokens))) {
      await ctx.store.revokeFamily(token.familyId, now);
      throw invalidGrant("The refresh token has already been used; every token of this grant is now revoked");
    }
    return withIdToken(ctx, minted, { client, user, grantType: "refresh_token", scopes, authTime: token.authTime });
  },
};
