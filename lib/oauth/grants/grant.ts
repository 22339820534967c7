/** Every grant has the same shape and is registered in lib/oauth/grants/index.ts. */
import type { GrantType } from "../grant-types.ts";
import type { ProtocolContext } from "../context.ts";
import type { Params } from "../params.ts";
import type { ClientRecord } from "../store.ts";
import type { TokenResponse } from "../tokens.ts";

export interface Grant {
  grantType: GrantType;
  /** Runs after the client has authenticated and is known to be allowed this grant type. */
  handle(ctx: ProtocolContext, client: ClientRecord, params: Params): Promise<TokenResponse>;
}
