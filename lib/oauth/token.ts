/**
 * The token endpoint (RFC 6749 §3.2).
 *
 * Hand-written rather than built on @node-oauth/oauth2-server (evaluated, v5.3): its authorize
 * handler validates and issues the code in one call, leaving no step to validate before showing a
 * consent screen; its grants read a code or refresh token and revoke it in two separate model
 * calls, so single use, reuse detection with family revocation and the grace period would all live
 * as side effects of model "getters" the library cannot see; client authentication is required or
 * not per grant type rather than per client type; and it has no OpenID Connect, revocation or
 * introspection. What remained for it to do was parameter parsing. The security-critical pieces it
 * would have provided are small and tested here; JOSE is left to jose.
 */
import { authenticateClient, clientOfFailedAuthentication } from "./client-auth.ts";
import type { ProtocolContext } from "./context.ts";
import { OAuthError } from "./errors.ts";
import type { TokenRequestOrigin } from "./grants/grant.ts";
import { grantsByType } from "./grants/index.ts";
import { required, type Params } from "./params.ts";
import { allowsGrantType } from "./policy.ts";
import { parseScope } from "./scope.ts";
import type { ClientRecord } from "./store.ts";
import type { TokenResponse } from "./tokens.ts";

export interface TokenResult {
  client: ClientRecord;
  grantType: string;
  response: TokenResponse;
}

/**
 * A device polling while its user has not answered (RFC 8628 §3.5) is waiting, not failing: it
 * polls every few seconds for minutes, and counted as failures those polls would bury real ones.
 */
function isStillWaiting(error: unknown): boolean {
  return error instanceof OAuthError && (error.code === "authorization_pending" || error.code === "slow_down");
}

export async function handleTokenRequest(
  ctx: ProtocolContext,
  params: Params,
  authorization: string | null,
  origin: TokenRequestOrigin = { ip: null },
): Promise<TokenResult> {
  let client: ClientRecord | undefined;
  const grantType = params.get("grant_type") ?? "";
  try {
    const grant = grantsByType.get(required(params, "grant_type"));
    if (!grant) throw new OAuthError("unsupported_grant_type", `The grant type ${grantType} is not supported`);
    client = (await authenticateClient(ctx, params, authorization, origin)).client;
    // The registration decides, unless the deployer's policy does (DOT's allows_grant_type).
    const allowed = ctx.policy?.allowsGrantType
      ? await allowsGrantType(ctx.policy, {
          client,
          grantType: grant.grantType,
          user: null,
          scopes: parseScope(params.get("scope")) ?? [],
        })
      : client.grantTypes.includes(grant.grantType);
    if (!allowed) {
      throw new OAuthError("unauthorized_client", `This client is not allowed the ${grantType} grant`);
    }
    const response = await grant.handle(ctx, client, params, origin);
    ctx.onTokenRequest?.({ applicationId: client.id, grantType, outcome: "issued", at: ctx.now() });
    return { client, grantType, response };
  } catch (error) {
    if (!isStillWaiting(error)) {
      ctx.onTokenRequest?.({
        applicationId: client?.id ?? clientOfFailedAuthentication(error) ?? "",
        grantType,
        outcome: "failed",
        error: error instanceof OAuthError ? error.code : "server_error",
        at: ctx.now(),
      });
    }
    throw error;
  }
}
