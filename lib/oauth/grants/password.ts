/**
 * The resource owner password credentials grant (RFC 6749 §4.3): legacy, removed in OAuth 2.1, and
 * allowed only for confidential clients an admin explicitly enabled it on.
 */
import { OAuthError, invalidGrant } from "../errors.ts";
import { optional, required } from "../params.ts";
import { resolveScopes } from "../scope-policy.ts";
import { mintTokens, withIdToken } from "../tokens.ts";
import type { Grant } from "./grant.ts";

export const passwordGrant: Grant = {
  grantType: "password",
  async handle(ctx, client, params, origin) {
    if (client.clientType !== "confidential") {
      throw new OAuthError("unauthorized_client", "Only confidential clients may use the password grant");
    }
    const username = required(params, "username");
    const password = required(params, "password");
    const scopes = resolveScopes(optional(params, "scope"), client, await ctx.scopes.read());
    // The attempt is audited like a sign-in on the form, naming this client.
    const { user, retryAfterSeconds: wait } = await ctx.authenticateUser({ username, password, client, ip: origin.ip });
    if (!user) {
      if (!wait) throw invalidGrant("The username or password is incorrect");
      // Said plainly, and the same for unknown usernames: the throttle counts those alike.
      throw new OAuthError(
        "invalid_grant",
        `Too many failed sign-ins for this username from this address: try again in ${wait} seconds`,
        { headers: { "Retry-After": String(wait) } },
      );
    }
    if (ctx.policy?.mayAuthorize) {
      const verdict = await ctx.policy.mayAuthorize({ client, grantType: "password", user, scopes });
      if (verdict !== true) throw invalidGrant(verdict);
    }
    const authTime = ctx.now();
    const minted = mintTokens(ctx, {
      client,
      user,
      grantType: "password",
      scopes,
      withRefreshToken: client.grantTypes.includes("refresh_token"),
      authTime,
    });
    await ctx.store.issueTokens(minted.tokens);
    return withIdToken(ctx, minted, { client, user, grantType: "password", scopes, authTime });
  },
};
