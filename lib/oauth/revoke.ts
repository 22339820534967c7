/**
 * Token revocation (RFC 7009). The client must authenticate; a token that is unknown, already
 * invalid, or belongs to another client gets the same empty 200 (§2.2), so nothing leaks. Revoking
 * a refresh token revokes its whole grant: every refresh and access token of its family (§2.1).
 */
import { authenticateClient } from "./client-auth.ts";
import type { ProtocolContext } from "./context.ts";
import type { TokenRequestOrigin } from "./grants/grant.ts";
import { optional, required, type Params } from "./params.ts";
import { findToken } from "./token-lookup.ts";

export async function handleRevocation(
  ctx: ProtocolContext,
  params: Params,
  authorization: string | null,
  origin: TokenRequestOrigin = { ip: null },
) {
  const { client } = await authenticateClient(ctx, params, authorization, origin);
  const value = required(params, "token");
  // An unknown hint is ignored (§2.1): both kinds of token are searched anyway.
  const found = await findToken(ctx.store, value, optional(params, "token_type_hint"));
  if (!found || found.token.applicationId !== client.id) return { client };
  const now = ctx.now();
  if (found.kind === "refresh_token") await ctx.store.revokeFamily(found.token.familyId, now);
  else await ctx.store.revokeAccessToken(found.token.id, now);
  return { client };
}
