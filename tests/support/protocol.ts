/** The protocol core's context for tests: a real store, the built-in scopes, and a clock to move. */
import type { ProtocolContext } from "@/lib/oauth/context";
import { storeKeyRing } from "@/lib/oauth/oidc/keys";
import { builtInScopes } from "@/lib/oauth/scope";
import type { OAuthStore } from "@/lib/oauth/store";

export type Lifetimes = ProtocolContext["config"]["lifetimes"];

export const testLifetimes: Lifetimes = {
  authorizationCode: 60,
  accessToken: 3600,
  refreshToken: 86_400,
  consent: 86_400,
  refreshGracePeriod: 0,
};

export function testProtocol(
  store: OAuthStore,
  { now = () => new Date(), lifetimes = {} }: { now?: () => Date; lifetimes?: Partial<Lifetimes> } = {},
): ProtocolContext {
  return {
    store,
    config: {
      issuer: "http://localhost:3000",
      lifetimes: { ...testLifetimes, ...lifetimes },
      approvalPrompt: "auto",
      scopes: builtInScopes,
    },
    keys: storeKeyRing(store, now),
    now,
  };
}
