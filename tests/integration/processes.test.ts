/**
 * Several server processes on one database, as the workers of `npm start` (PORTCULLIS_WORKERS) or
 * several instances run: real child processes (tests/support/server-process.ts) with the app's own
 * modules, each on its own connection, on SQLite (one file, SQLite's locks between processes) and
 * on PostgreSQL. What one process keeps in memory must never make another's writes or changes go
 * missing.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/applications/commands";
import { systemActor } from "@/lib/audit/record";
import { prismaOAuthStore } from "@/lib/db/oauth-store";
import { projectRoot } from "@/lib/setup/bootstrap";
import { credentialMatches } from "@/lib/oauth/secrets";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

interface Outcome {
  code: number | null;
  /** The process's own JSON answer (its last line). */
  result: Record<string, unknown>;
  /** Everything else it printed: its log. */
  log: string[];
}

function serverProcess(...args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join(projectRoot, "tests/support/server-process.ts"), ...args],
      { cwd: projectRoot, env: { ...process.env, LOG_FORMAT: "json" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const lines = out.trim().split("\n");
      let result: Record<string, unknown>;
      try {
        result = JSON.parse(lines.at(-1) ?? "{}") as Record<string, unknown>;
      } catch {
        result = { unparsed: lines.at(-1) };
      }
      resolve({ code, result, log: lines.slice(0, -1) });
    });
  });
}

describe.each(providers)("several processes on %s", (provider: Provider) => {
  let t: TestDatabase;
  let url: string;
  let applicationId: string;
  let clientId: string;
  let secret: string;

  beforeAll(async () => {
    t = await freshDatabase(provider);
    url = t.target.provider === "sqlite" ? `file:${t.target.file}` : t.target.url;
    const created = await createApplication(
      t.db,
      {
        name: "Shared by the workers",
        clientType: "confidential",
        grantTypes: ["client_credentials"],
        allowedScopes: ["read"],
        redirectUris: [],
      },
      systemActor,
    );
    if (!created.ok) throw new Error("could not create the application");
    applicationId = created.application.id;
    clientId = created.application.clientId;
    secret = created.clientSecret!;
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("add their usage counts up: each flush adds its own, none overwrites another's", async () => {
    const before = await t.db.usageCounter.aggregate({ where: { applicationId }, _sum: { count: true } });
    // Three processes flushing the same day, application and grant type at the same moments.
    const outcomes = await Promise.all([1, 2, 3].map(() => serverProcess("usage", url, applicationId, "37", "20")));
    for (const outcome of outcomes) {
      expect(outcome.code, JSON.stringify(outcome)).toBe(0);
      expect(outcome.log.filter((line) => line.includes("could not write usage counts"))).toEqual([]);
    }
    const after = await t.db.usageCounter.aggregate({ where: { applicationId }, _sum: { count: true } });
    expect((after._sum.count ?? 0) - (before._sum.count ?? 0)).toBe(3 * 37 * 20);
  });

  it("write tokens and counts at the same time without a single error or lost row", async () => {
    const tokensBefore = await t.db.accessToken.count({ where: { applicationId } });
    const countedBefore = await t.db.usageCounter.aggregate({ where: { applicationId }, _sum: { count: true } });
    const outcomes = await Promise.all([1, 2].map(() => serverProcess("tokens", url, applicationId, "3000")));
    let issued = 0;
    for (const outcome of outcomes) {
      expect(outcome.code, JSON.stringify(outcome)).toBe(0);
      expect(outcome.result).toMatchObject({ failed: 0, errors: [] });
      expect(outcome.log.filter((line) => line.includes('"level":50'))).toEqual([]);
      issued += outcome.result.issued as number;
    }
    // Both processes wrote, concurrently (neither was starved by the other's locks).
    const issuedBy = JSON.stringify(outcomes.map((outcome) => outcome.result.issued));
    for (const outcome of outcomes) expect(outcome.result.issued, issuedBy).toBeGreaterThan(100);
    expect(await t.db.accessToken.count({ where: { applicationId } })).toBe(tokensBefore + issued);
    const countedAfter = await t.db.usageCounter.aggregate({ where: { applicationId }, _sum: { count: true } });
    expect((countedAfter._sum.count ?? 0) - (countedBefore._sum.count ?? 0)).toBe(issued);
  });

  it("see a secret another process rotated: the old one stops working at once", async () => {
    // This process serves the token endpoint's lookups (keeping clients in memory on PostgreSQL).
    const store = prismaOAuthStore(t.db, { clientCache: true });
    const secretHash = async () => (await store.findClient(clientId))?.secretHash ?? null;
    const accepts = async (candidate: string) => {
      const hash = await secretHash();
      return credentialMatches(candidate, hash);
    };
    // Read twice: on PostgreSQL the second answer comes from memory once the cache listens.
    expect(await accepts(secret)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await accepts(secret)).toBe(true);
    const rotated = await serverProcess("rotate-secret", url, applicationId);
    expect(rotated.code, JSON.stringify(rotated)).toBe(0);
    const newSecret = rotated.result.clientSecret as string;
    if (provider === "sqlite") {
      // No cache: the very next lookup reads the new secret.
      expect(await accepts(secret)).toBe(false);
      expect(await accepts(newSecret)).toBe(true);
    } else {
      // The trigger's NOTIFY reached this process's listener: within milliseconds, not at maxAge.
      const started = Date.now();
      await expect.poll(() => accepts(secret), { timeout: 1000, interval: 5 }).toBe(false);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await accepts(newSecret)).toBe(true);
    }
  });
});
