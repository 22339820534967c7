/**
 * `seed-demo --scale` (lib/maintenance/seed-scale.ts) on real SQLite and PostgreSQL: the rows it
 * generates in the database are the ones the server's pages and clear-tokens read (valid
 * references, grant types the tokens need, live and dead tokens), and a second run changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "@/lib/cli/cli";
import type { Db } from "@/lib/db/client";
import { clearTokens } from "@/lib/maintenance/clear-tokens";
import { connectedApps } from "@/lib/access/queries";
import { listApplications } from "@/lib/applications/queries";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

describe.each(providers)("seed-demo --scale on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) };

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("refuses a factor out of range", async () => {
    for (const factor of ["0", "-1", "11", "lots"]) {
      expect(await runCli(db, ["seed-demo", "--scale", factor], io)).toBe(2);
    }
    expect(err.at(-1)).toMatch(/factor above 0 and at most 10/);
    expect(await db.application.count()).toBe(0);
  });

  it("seeds a scaled installation whose rows the pages read, and a second run changes nothing", async () => {
    out.length = 0;
    expect(await runCli(db, ["seed-demo", "--scale", "0.002", "--json"], io)).toBe(0);
    const result = JSON.parse(out.at(-1)!) as { seeded: true; counts: Record<string, number> };
    expect(result.counts).toMatchObject({ applications: 200, users: 200, accessTokens: 2000, auditEvents: 10_000 });
    expect(await db.application.count()).toBe(200);
    expect(await db.auditEvent.count({ where: { id: { startsWith: "ze" } } })).toBe(10_000);

    // Every token belongs to an application that has its grant type, and to an existing user.
    const tokens = await db.accessToken.findMany({
      select: { grantType: true, userId: true, application: { select: { grantTypes: true } } },
    });
    expect(tokens).toHaveLength(2000);
    for (const token of tokens) {
      expect(token.application.grantTypes.map((g) => g.grantType)).toContain(token.grantType);
      expect(token.userId === null).toBe(token.grantType === "client_credentials");
    }
    const now = new Date();
    const live = await db.accessToken.count({ where: { expiresAt: { gt: now } } });
    expect(live).toBe(200);

    // The pages' queries read it: the busiest user is connected to apps, the list pages.
    expect((await connectedApps(db, "zu0000001")).length).toBeGreaterThan(1);
    expect((await listApplications(db, { search: "billing" })).total).toBe(40);

    const before = await db.auditEvent.count();
    out.length = 0;
    expect(await runCli(db, ["seed-demo", "--scale", "0.002"], io)).toBe(0);
    expect(out.join("\n")).toMatch(/already seeded at scale/);
    expect(await db.auditEvent.count()).toBe(before);

    // clear-tokens removes exactly the dead ones.
    const cleared = await clearTokens(db, { now });
    expect(cleared.accessTokens).toBe(1800);
    expect(await db.accessToken.count()).toBe(200);
  });
});
