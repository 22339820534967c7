/**
 * Token introspection (RFC 7662). Only the client a token was issued to, or a client an admin
 * allowed to introspect any token (a resource server), learns anything; everyone else gets
 * `{"active": false}`, exactly as for an unknown token (§2.2), so tokens cannot be probed.
 */
import { extraClaims } from "./policy.ts";
import { authenticateClient, invalidClient } from "./client-auth.ts";
import type { ProtocolContext } from "./context.ts";
import type { TokenRequestOrigin } from "./grants/grant.ts";
import { optional, required, type Params } from "./params.ts";
import { findToken, isLive } from "./token-lookup.ts";

export type IntrospectionResponse =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id: string;
      token_type: "Bearer" | "refresh_token";
      exp?: number;
      iat: number;
      sub?: string;
      username?: string;
      aud: string;
      iss: string;
    };

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export async function handleIntrospection(
  ctx: ProtocolContext,
  params: Params,
  authorization: string | null,
  origin: TokenRequestOrigin = { ip: null },
): Promise<{ response: IntrospectionResponse; clientId: string }> {
  const { client } = await authenticateClient(ctx, params, authorization, origin);
  // RFC 7662 §2.1: the caller must be authorized; a public client proves nothing about itself.
  if (client.clientType === "public") throw invalidClient("Public clients cannot use token introspection");
  const found = await findToken(ctx.store, required(params, "token"), optional(params, "token_type_hint"));
  const now = ctx.now();
  const inactive = { response: { active: false } as const, clientId: client.clientId };
  if (!found || !isLive(found, now)) return inactive;
  if (found.token.applicationId !== client.id && !client.introspectAnyToken) return inactive;
  const user = found.token.userId ? await ctx.store.findUser(found.token.userId) : null;
  if (found.token.userId && (!user || user.disabled)) return inactive;
  if (found.kind === "access_token") await ctx.store.noteAccessTokenUse(found.token.id, now);
  const owner = !ctx.policy?.claims
    ? null
    : found.token.applicationId === client.id
      ? client
      : await ctx.store.findClient(found.token.clientId);
  const extra = owner
    ? await extraClaims(ctx.policy, {
        client: owner,
        user,
        scopes: found.token.scope === "" ? [] : found.token.scope.split(" "),
        grantType: "grantType" in found.token ? found.token.grantType : "refresh_token",
        purpose: "introspection",
      })
    : {};
  return {
    clientId: client.clientId,
    response: {
      ...extra,
      active: true,
      scope: found.token.scope,
      client_id: found.token.clientId,
      token_type: found.kind === "access_token" ? "Bearer" : "refresh_token",
      ...(found.token.expiresAt ? { exp: seconds(found.token.expiresAt) } : {}),
      iat: seconds(found.token.createdAt),
      ...(user ? { sub: user.id, username: user.email } : {}),
      aud: found.token.clientId,
      iss: ctx.config.issuer,
    },
  };
}
