/** The protocol core's context for tests: a real store, the built-in scopes, and a clock to move. */
import type { ProtocolContext } from "@/lib/oauth/context";
import { randomBytes } from "node:crypto";
import { storeKeyRing } from "@/lib/oauth/oidc/keys";
import { builtInScopes } from "@/lib/oauth/scope";
import type { OAuthStore } from "@/lib/oauth/store";
import { privateKeyCipher } from "@/lib/signing-keys/encryption";

/** A key-encryption key of the test process's own, as a server would generate one. */
export const testCipher = privateKeyCipher(randomBytes(32));

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
    keys: storeKeyRing(store, testCipher, { now }),
    now,
  };
}
