/**
 * The device authorization endpoint (RFC 8628 §3.1-3.2): a device without a usable browser asks
 * for a device code (which it polls the token endpoint with: ./grants/device-code.ts) and a user
 * code, which its user enters at /device on another device (./device-verification.ts).
 *
 * Clients authenticate as at the token endpoint (public clients send client_id); only clients
 * allowed the device grant get an answer, and the scopes are checked as at the authorization endpoint.
 */
import { authenticateClient } from "./client-auth.ts";
import type { ProtocolContext } from "./context.ts";
import { endpointsFor } from "./endpoints.ts";
import { OAuthError } from "./errors.ts";
import type { TokenRequestOrigin } from "./grants/grant.ts";
import { optional, type Params } from "./params.ts";
import { allowsGrantType } from "./policy.ts";
import { formatScope, parseScope } from "./scope.ts";
import { resolveScopes } from "./scope-policy.ts";
import { generateCredential, hashCredential } from "./secrets.ts";
import type { ClientRecord } from "./store.ts";
import { formatUserCode, generateUserCode, hashUserCode } from "./user-code.ts";

export const deviceCodeGrantType = "urn:ietf:params:oauth:grant-type:device_code";

export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** A fresh user code is tried this many times should it collide with a stored one (1 in ~10^10 each). */
const userCodeAttempts = 5;

export async function handleDeviceAuthorization(
  ctx: ProtocolContext,
  params: Params,
  authorization: string | null,
  origin: TokenRequestOrigin,
): Promise<{ client: ClientRecord; response: DeviceAuthorizationResponse }> {
  const { client } = await authenticateClient(ctx, params, authorization, origin);
  const requested = optional(params, "scope");
  const allowed = await allowsGrantType(ctx.policy, {
    client,
    grantType: deviceCodeGrantType,
    user: null,
    scopes: parseScope(requested) ?? [],
  });
  // RFC 8628 §3.2: the token endpoint's error responses apply.
  if (!allowed) throw new OAuthError("unauthorized_client", "This client is not allowed the device code grant");
  const scopes = resolveScopes(requested, client, await ctx.scopes.read());
  const { lifetime, interval } = ctx.config.deviceAuthorization;
  const deviceCode = generateCredential("deviceCode");
  const expiresAt = new Date(ctx.now().getTime() + lifetime * 1000);
  for (let attempt = 0; attempt < userCodeAttempts; attempt++) {
    const userCode = generateUserCode();
    const saved = await ctx.store.saveDeviceCode({
      deviceCodeHash: hashCredential(deviceCode),
      userCodeHash: hashUserCode(userCode),
      applicationId: client.id,
      scope: formatScope(scopes),
      interval,
      expiresAt,
    });
    if (!saved) continue;
    const verificationUri = endpointsFor(ctx.config.issuer).deviceVerification;
    const shown = formatUserCode(userCode);
    return {
      client,
      response: {
        device_code: deviceCode,
        user_code: shown,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?${new URLSearchParams({ user_code: shown })}`,
        expires_in: lifetime,
        interval,
      },
    };
  }
  throw new OAuthError("server_error", "The server could not complete the request", {
    detail: "no free user code after several attempts",
  });
}
