/**
 * What the token endpoint's optional checks cost a successful request, in microseconds of CPU,
 * measured in-process (200,000 calls after a warm-up, best of five rounds), for `npm run bench` to
 * print beside the CPU time per token request its servers used in the same run:
 * - the deployer's `allowsGrantType` hook of examples/team-apps (the policy the token endpoint asks
 *   when a config has that hook), against the registration check it replaces;
 * - the client-authentication throttle's check for a client and address that have not failed
 *   (lib/oauth/client-auth-throttle.ts), which must not touch the database.
 * Both run on every token request that has them, so each one's share of the request's CPU bounds
 * what it can take from the endpoint's throughput.
 */
import teamApps from "../examples/team-apps/portcullis.config.ts";
import { policyFrom } from "../lib/extensions/policy.ts";
import { hintedClientAuthThrottle } from "../lib/oauth/client-auth-throttle.ts";
import { allowsGrantType } from "../lib/oauth/policy.ts";
import type { ClientRecord } from "../lib/oauth/store.ts";

export interface HotPathCosts {
  /** µs per call: the registration check alone (no hook). */
  registrationCheckUs: number;
  /** µs per call: examples/team-apps's allowsGrantType, through the policy. */
  extensionHookUs: number;
  /** µs per call: the throttle's check for a key that has not failed. */
  throttleCheckUs: number;
}

const calls = 200_000;

async function microsecondsPerCall(call: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 20_000; i++) await call();
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const started = process.cpuUsage();
    for (let i = 0; i < calls; i++) await call();
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / calls);
  }
  return best;
}

export async function measureHotPathCosts(): Promise<HotPathCosts> {
  const policy = policyFrom(teamApps)!;
  const client = {
    id: "bench-application",
    clientId: "bench-client",
    name: "Bench",
    clientType: "confidential",
    grantTypes: ["client_credentials"],
    redirectUris: [],
    allowedScopes: ["read"],
    skipAuthorization: false,
    metadata: { team: "platform", machineClient: true },
  } as unknown as ClientRecord;
  const question = () => ({ client, grantType: "client_credentials", user: null, scopes: ["read"] });
  const refused = () => {
    throw new Error("refused");
  };
  const throttle = hintedClientAuthThrottle(
    {
      record: () => Promise.reject(new Error("a successful request must not record a failure")),
      retryAfter: () => Promise.reject(new Error("a successful request must not ask the database")),
    },
    { limit: 10, addressLimit: 100, window: 300 },
  );
  const key = { clientId: "bench-client", source: "127.0.0.1" };
  return {
    registrationCheckUs: await microsecondsPerCall(async () =>
      (await allowsGrantType(undefined, question())) ? undefined : refused(),
    ),
    extensionHookUs: await microsecondsPerCall(async () =>
      (await allowsGrantType(policy, question())) ? undefined : refused(),
    ),
    throttleCheckUs: await microsecondsPerCall(() => throttle.check(key, new Date())),
  };
}
