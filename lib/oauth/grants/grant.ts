/** Every grant has the same shape and is registered in lib/oauth/grants/index.ts. */
import type { GrantType } from "../grant-types.ts";
import type { ProtocolContext } from "../context.ts";
import type { Params } from "../params.ts";
import type { ClientRecord } from "../store.ts";
import type { TokenResponse } from "../tokens.ts";

/** What the token, revocation and introspection endpoints know about the HTTP request beyond its parameters. */
export interface TokenRequestOrigin {
  /** The client address (client authentication's limit, the password grant's throttle and audit), or null. */
  ip: string | null;
}

export interface Grant {
  grantType: GrantType;
  /** Runs after the client has authenticated and is known to be allowed this grant type. */
  handle(
    ctx: ProtocolContext,
    client: ClientRecord,
    params: Params,
    origin: TokenRequestOrigin,
  ): Promise<TokenResponse>;
}
