/**
 * The protocol core's context for tests: a real store on the test database, the ports wired as
 * lib/server/protocol.ts wires them, the database's scope catalogue, and a clock to move.
 */
import type { Db } from "@/lib/db/client";
import { settings } from "@/lib/config/settings";
import { prismaClientAuthFailures } from "@/lib/db/client-auth-failures";
import { prismaOAuthStore } from "@/lib/db/oauth-store";
import { hintedClientAuthThrottle, type ClientAuthLimits } from "@/lib/oauth/client-auth-throttle";
import type { ProtocolContext } from "@/lib/oauth/context";
import { randomBytes } from "node:crypto";
import { storeKeyRing } from "@/lib/oauth/oidc/keys";
import { scopeCatalogue } from "@/lib/scopes/catalogue";
import type { OAuthStore } from "@/lib/oauth/store";
import { privateKeyCipher } from "@/lib/signing-keys/encryption";

/** A key-encryption key of the test process's own, as a server would generate one. */
export const testCipher = privateKeyCipher(randomBytes(32));
import { passwordGrantAuthenticator } from "@/lib/users/sign-in";

export type Lifetimes = ProtocolContext["config"]["lifetimes"];

export const testLifetimes: Lifetimes = {
  authorizationCode: 60,
  accessToken: 3600,
  refreshToken: 86_400,
  consent: 86_400,
  refreshGracePeriod: 0,
};

export function testProtocol(
  db: Db,
  {
    store = prismaOAuthStore(db),
    now = () => new Date(),
    lifetimes = {},
    clientAuthLimits = settings().clientAuthThrottle,
    deviceAuthorization = {},
  }: {
    store?: OAuthStore;
    now?: () => Date;
    lifetimes?: Partial<Lifetimes>;
    clientAuthLimits?: ClientAuthLimits;
    deviceAuthorization?: Partial<ProtocolContext["config"]["deviceAuthorization"]>;
  } = {},
): ProtocolContext {
  return {
    store,
    authenticateUser: passwordGrantAuthenticator(db),
    clientAuthThrottle: hintedClientAuthThrottle(prismaClientAuthFailures(db), clientAuthLimits),
    config: {
      issuer: "http://localhost:3000",
      lifetimes: { ...testLifetimes, ...lifetimes },
      approvalPrompt: "auto",
      deviceAuthorization: { ...settings().deviceAuthorization, ...deviceAuthorization },
    },
    scopes: scopeCatalogue(db),
    keys: storeKeyRing(store, testCipher, { now }),
    now,
  };
}
