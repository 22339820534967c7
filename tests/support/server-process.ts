/**
 * Another server process on the same database, for tests of what several workers (or instances)
 * share: run as `node --import tsx tests/support/server-process.ts <task> <databaseUrl> …`, it does
 * what a worker does on the token endpoint's path with the app's own modules (lib/usage/counter.ts,
 * lib/db/oauth-store.ts, lib/applications/commands.ts) on a connection of its own, prints one JSON
 * line with what it did, and exits 0; a failure is printed and exits 1.
 *
 *   usage <url> <applicationId> <perRound> <rounds>  counts perRound token requests, flushes, repeats
 *   tokens <url> <applicationId> <milliseconds>      issues access tokens (group-committed) while
 *                                                   flushing usage counts (Prisma transactions)
 *   rotate-secret <url> <applicationId>              rotates the client's secret; prints the new one
 */
import { createHash, randomBytes } from "node:crypto";
import { systemActor } from "../../lib/audit/record.ts";
import { rotateClientSecret } from "../../lib/applications/commands.ts";
import { connect } from "../../lib/db/client.ts";
import { prismaOAuthStore } from "../../lib/db/oauth-store.ts";
import { parseDatabaseUrl } from "../../lib/db/url.ts";
import { UsageCounter } from "../../lib/usage/counter.ts";

const [task, url, ...args] = process.argv.slice(2);
const db = connect(parseDatabaseUrl(url!));

async function run(): Promise<unknown> {
  if (task === "usage") {
    const [applicationId, perRound, rounds] = [args[0]!, Number(args[1]), Number(args[2])];
    const counter = new UsageCounter(db, 60_000);
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < perRound; i++)
        counter.record({ applicationId, grantType: "client_credentials", outcome: "issued", at: new Date() });
      await counter.flush();
    }
    return { counted: perRound * rounds };
  }
  if (task === "tokens") {
    const [applicationId, milliseconds] = [args[0]!, Number(args[1])];
    const store = prismaOAuthStore(db, { clientCache: false });
    const counter = new UsageCounter(db, 60_000);
    const until = Date.now() + milliseconds;
    let issued = 0;
    let failed = 0;
    const errors = new Set<string>();
    // 20 requests in flight at a time, as a busy worker has.
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (Date.now() < until) {
          // A token request's own work besides its insert (parsing, the secret's check, the JSON):
          // ~0.15 ms of CPU on our machines (docs/performance.md).
          for (const spinUntil = performance.now() + 0.15; performance.now() < spinUntil;);
          try {
            await store.issueTokens({
              access: {
                tokenHash: createHash("sha256").update(randomBytes(32)).digest("base64url"),
                applicationId,
                userId: null,
                scope: "read",
                grantType: "client_credentials",
                familyId: null,
                authorizationCodeId: null,
                authTime: null,
                expiresAt: new Date(Date.now() + 3600_000),
              },
            });
            issued++;
            counter.record({ applicationId, grantType: "client_credentials", outcome: "issued", at: new Date() });
            if (issued % 200 === 0) await counter.flush();
          } catch (error) {
            failed++;
            errors.add(String(error));
          }
        }
      }),
    );
    await counter.flush();
    return { issued, failed, errors: [...errors].slice(0, 3) };
  }
  if (task === "rotate-secret") {
    const { clientSecret } = await rotateClientSecret(db, args[0]!, systemActor);
    return { clientSecret };
  }
  throw new Error(`unknown task ${task}`);
}

try {
  console.log(JSON.stringify(await run()));
  await db.$disconnect();
  process.exit(0);
} catch (error) {
  console.log(JSON.stringify({ error: String(error) }));
  process.exit(1);
}
