/**
 * HTTP fuzzing of every endpoint, page and server action (e2e/support/fuzz.ts): random methods,
 * headers, query strings and bodies, signed in or not. Whatever is sent, the server answers within
 * the timeout and never with a 5xx.
 *
 * The requests come from a fixed seed, so every run sends the same kinds of requests (ids of rows
 * created for the run differ). `npm test` sends 1,200 per server (~10-30 s); FUZZ_RUNS=5000 sends more,
 * FUZZ_SEED=<n> others. A failure prints each offending request as a curl command, its seed and index;
 * FUZZ_SEED=<seed> FUZZ_ONLY=<index> sends that one request again.
 *
 * It signs in its own user and admin and sends sign-in attempts only to made-up emails, so the
 * shared admin account's throttle and sessions are left alone for the specs that run after it.
 */
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { expect, test } from "./support/fixtures";
import { buildActions, curl, fuzzRequests, send, type FuzzRequest, type Outcome } from "./support/fuzz";
import { registerClient, signedInSession } from "./support/oauth";

const seed = Number(process.env.FUZZ_SEED ?? 20261203);
const runs = Number(process.env.FUZZ_RUNS ?? 1200);
const only = process.env.FUZZ_ONLY === undefined ? undefined : Number(process.env.FUZZ_ONLY);
const timeoutMs = Number(process.env.FUZZ_TIMEOUT_MS ?? 10_000);

async function sessionCookie(baseURL: string, email: string, password: string): Promise<string> {
  const session = await signedInSession(baseURL, email, password);
  const { cookies } = await session.storageState();
  await session.dispose();
  return cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
}

test("no request gets a 5xx or goes unanswered", async ({ baseURL, db, makeUser }) => {
  test.setTimeout(Math.max(120_000, runs * 1_000));
  const origin = baseURL!;
  const user = await makeUser();
  const admin = await makeUser({ admin: true });
  const application = await registerClient(db);
  const scope = await db.scope.create({
    data: { name: `fuzz:${randomBytes(4).toString("hex")}`, description: "A scope for the fuzzer" },
  });
  const targets = {
    origin,
    sessions: {
      user: await sessionCookie(origin, user.email, user.password),
      admin: await sessionCookie(origin, admin.email, admin.password),
    },
    ids: [user.id, admin.id, application.id, application.clientId, scope.id],
    actionIds: buildActions().map((action) => action.id),
  };

  const requests = fc.sample(fuzzRequests(targets), { seed, numRuns: only === undefined ? runs : only + 1 });
  const failures: { index: number; request: FuzzRequest; outcome: Outcome }[] = [];
  for (const [index, request] of requests.entries()) {
    if (only !== undefined && index !== only) continue;
    const outcome = await send(origin, request, timeoutMs);
    if (outcome.kind === "failed" || outcome.status >= 500) failures.push({ index, request, outcome });
  }

  const report = failures
    .slice(0, 30)
    .map(({ index, request, outcome }) =>
      [
        `#${index} (FUZZ_SEED=${seed} FUZZ_ONLY=${index}): ${
          outcome.kind === "failed"
            ? outcome.error
            : `${outcome.status} in ${outcome.ms} ms: ${outcome.excerpt.slice(0, 120)}`
        }`,
        `  ${curl(origin, request, targets.sessions)}`,
      ].join("\n"),
    );
  expect(failures.length, `${failures.length} of ${requests.length} requests failed:\n${report.join("\n")}`).toBe(0);
});
