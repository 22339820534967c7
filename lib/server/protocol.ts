/** The protocol core wired to this process's settings, database and keys (the composition root). */
import { keyEncryptionKey } from "../config/secrets.ts";
import { settings } from "../config/settings.ts";
import { db } from "../db/client.ts";
import { prismaClientAuthFailures } from "../db/client-auth-failures.ts";
import { prismaOAuthStore } from "../db/oauth-store.ts";
import { hintedClientAuthThrottle, type ClientAuthFailures } from "../oauth/client-auth-throttle.ts";
import { metrics } from "../metrics/metrics.ts";
import { protocolConfigFrom, type ProtocolContext } from "../oauth/context.ts";
import { storeKeyRing } from "../oauth/oidc/keys.ts";
import { scopeCatalogue } from "../scopes/catalogue.ts";
import { recordAudit } from "../audit/record.ts";
import { extensions } from "../extensions/active.ts";
import { policyFrom } from "../extensions/policy.ts";
import { privateKeyCipher } from "../signing-keys/encryption.ts";
import { UsageCounter } from "../usage/counter.ts";
import { passwordGrantAuthenticator } from "../users/sign-in.ts";
import { log } from "../log/logger.ts";
import { broadcast, onBroadcast } from "../cluster/worker.ts";

/** Broadcast topics between the workers of one server. */
const signingKeysChanged = "signing-keys-changed";
const clientAuthFailed = "client-auth-failed";

const holder = globalThis as typeof globalThis & {
  portcullisProtocol?: ProtocolContext;
  portcullisUsage?: UsageCounter;
};

/** Each failed client authentication is also counted in the metrics. */
function countedFailures(failures: ClientAuthFailures): ClientAuthFailures {
  return {
    ...failures,
    record(failure, at) {
      metrics().clientAuthFailures.inc();
      return failures.record(failure, at);
    },
  };
}

export function protocol(): ProtocolContext {
  if (!holder.portcullisProtocol) {
    const store = prismaOAuthStore(db(), { clientCache: settings().clientCache });
    const usage = new UsageCounter(db());
    holder.portcullisUsage = usage;
    // With several workers (lib/cluster/worker.ts), what one of them learns the others hear at once.
    const keys = storeKeyRing(store, privateKeyCipher(keyEncryptionKey(settings())), {
      onChange: () => broadcast(signingKeysChanged, null),
    });
    onBroadcast(signingKeysChanged, () => keys.forget());
    holder.portcullisProtocol = {
      store,
      authenticateUser: passwordGrantAuthenticator(db()),
      clientAuthThrottle: hintedClientAuthThrottle(
        countedFailures(prismaClientAuthFailures(db())),
        settings().clientAuthThrottle,
        undefined,
        {
          publish: (key, until) => broadcast(clientAuthFailed, { key, until }),
          subscribe: (note) =>
            onBroadcast(clientAuthFailed, (payload) => {
              const { key, until } = payload as { key: { clientId: string; source: string }; until: number };
              note(key, until);
            }),
        },
      ),
      config: protocolConfigFrom(settings()),
      scopes: scopeCatalogue(db()),
      keys,
      now: () => new Date(),
      onTokenRequest: (event) => {
        usage.record(event);
        metrics().tokenRequest(event.grantType, event.outcome);
      },
      async onDeviceDecision({ client, user, decision, scopes, ip }) {
        try {
          await recordAudit(
            db(),
            { kind: "user", id: user.id, email: user.email, ip },
            {
              action: decision === "approved" ? "device.approved" : "device.denied",
              applicationId: client.id,
              targetUserId: user.id,
              details: { name: client.name, scope: scopes.join(" ") },
            },
          );
        } catch (error) {
          log().error({ err: error }, "Could not audit a device authorization answer");
        }
      },
      policy: policyFrom(extensions(), {
        async onRefused({ client, user, grantType, message }) {
          try {
            await recordAudit(
              db(),
              { kind: "user", id: user.id, email: user.email },
              {
                action: "authorization.refused",
                applicationId: client.id,
                targetUserId: user.id,
                details: { name: client.name, grantType, reason: message },
              },
            );
          } catch (error) {
            log().error({ err: error }, "could not audit a refused authorization");
          }
        },
      }),
    };
  }
  return holder.portcullisProtocol;
}

/** Writes the token counts not yet written (a stopping server's last step before closing the database). */
export async function flushUsage(): Promise<void> {
  await holder.portcullisUsage?.flush();
}
