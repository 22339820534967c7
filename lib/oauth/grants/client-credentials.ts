/** The client credentials grant (RFC 6749 §4.4): the client acts for itself; no user, no refresh token. */
import { OAuthError, invalidScope } from "../errors.ts";
import { optional } from "../params.ts";
import { resolveScopes } from "../scope-policy.ts";
import { mintTokens } from "../tokens.ts";
import type { Grant } from "./grant.ts";

export const clientCredentialsGrant: Grant = {
  grantType: "client_credentials",
  async handle(ctx, client, params) {
    if (client.clientType !== "confidential") {
      throw new OAuthError("unauthorized_client", "Only confidential clients may use client_credentials");
    }
    const scopes = resolveScopes(optional(params, "scope"), client, await ctx.scopes.read(), {
      withoutUser: true,
    });
    if (scopes.includes("openid") || scopes.includes("offline_access")) {
      throw invalidScope("openid and offline_access need a user; client_credentials has none");
    }
    const minted = mintTokens(ctx, {
      client,
      user: null,
      grantType: "client_credentials",
      scopes,
      withRefreshToken: false,
    });
    await ctx.store.issueTokens(minted.tokens);
    return minted.response;
  },
};
