/** The authorization code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636, S256 only). */
import { invalidGrant } from "../errors.ts";
import { optional, required } from "../params.ts";
import { verifierMatches } from "../pkce.ts";
import { hashCredential } from "../secrets.ts";
import { mintTokens, withIdToken } from "../tokens.ts";
import type { Grant } from "./grant.ts";

export const authorizationCodeGrant: Grant = {
  grantType: "authorization_code",
  async handle(ctx, client, params) {
    const code = await ctx.store.findAuthorizationCode(hashCredential(required(params, "code")));
    const redirectUri = optional(params, "redirect_uri");
    const verifier = optional(params, "code_verifier");
    const now = ctx.now();
    if (!code) throw invalidGrant("The authorization code is invalid");
    // A code belongs to one client; another client presenting it learns nothing and burns nothing.
    if (code.applicationId !== client.id)
      throw invalidGrant("The authorization code is invalid", "issued to another client");
    if (code.consumedAt) {
      // RFC 6749 §4.1.2: a code used twice may be stolen; revoke what the first use issued.
      await ctx.store.revokeTokensFromCode(code.id, now);
      throw invalidGrant("The authorization code has already been used");
    }
    if (code.expiresAt <= now) throw invalidGrant("The authorization code has expired");
    if (
      code.redirectUriProvided
        ? redirectUri !== code.redirectUri
        : redirectUri !== undefined && redirectUri !== code.redirectUri
    ) {
      throw invalidGrant("redirect_uri does not match the authorization request");
    }
    if (code.codeChallenge) {
      if (verifier === undefined) throw invalidGrant("code_verifier is required");
      if (!verifierMatches(verifier, code.codeChallenge))
        throw invalidGrant("code_verifier does not match the code challenge");
    } else if (verifier !== undefined) {
      // RFC 9700 §2.1.1: a verifier without a challenge is a PKCE downgrade attempt.
      throw invalidGrant("code_verifier sent, but the authorization request had no code_challenge");
    }
    const user = await ctx.store.findUser(code.userId);
    if (!user || user.disabled) throw invalidGrant("The user who approved this code can no longer sign in");

    const scopes = code.scope === "" ? [] : code.scope.split(" ");
    const minted = mintTokens(ctx, {
      client,
      user,
      grantType: "authorization_code",
      scopes,
      withRefreshToken: client.grantTypes.includes("refresh_token"),
      authorizationCodeId: code.id,
      authTime: code.authTime,
    });
    if (!(await ctx.store.redeemAuthorizationCode(code.id, now, minted.tokens))) {
      // Lost a race with another exchange of the same code: treat it as reuse.
      await ctx.store.revokeTokensFromCode(code.id, now);
      throw invalidGrant("The authorization code has already been used");
    }
    return withIdToken(ctx, minted, {
      client,
      user,
      grantType: "authorization_code",
      scopes,
      nonce: code.nonce,
      authTime: code.authTime,
    });
  },
};
