/**
 * The failures drill-down (lib/usage/failures.ts) against real SQLite and PostgreSQL databases: the
 * token endpoint's failures, counted by lib/usage/counter.ts with their OAuth error code, read back
 * by error code and by application over a period.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication, deleteApplication } from "@/lib/applications/commands";
import { cliActor } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { parseParams } from "@/lib/oauth/params";
import { handleTokenRequest } from "@/lib/oauth/token";
import { UsageCounter } from "@/lib/usage/counter";
import { failureBreakdown, failureQueryFrom } from "@/lib/usage/failures";
import { testProtocol } from "../support/protocol.ts";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

describe("failureQueryFrom", () => {
  it("reads the offered periods and an application id, and defaults anything else", () => {
    expect(failureQueryFrom({ days: "7", app: "abc_1" })).toEqual({ days: 7, applicationId: "abc_1" });
    expect(failureQueryFrom({ days: "8", app: "a b" })).toEqual({ days: 30, applicationId: undefined });
    expect(failureQueryFrom({ days: ["1", "90"], app: "" })).toEqual({ days: 1, applicationId: "" });
  });
});

describe.each(providers)("failed token requests on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("counts the token endpoint's failures by error code and application, over the chosen days", async () => {
    const created = await createApplication(
      db,
      { name: "Failing Reports", clientType: "confidential", grantTypes: ["client_credentials"] },
      cliActor,
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const { application, clientSecret } = created;
    const counter = new UsageCounter(db, 60_000);
    const ctx = {
      ...testProtocol(db),
      onTokenRequest: (event: Parameters<UsageCounter["record"]>[0]) => counter.record(event),
    };
    const request = async (params: Record<string, string>) => {
      try {
        await handleTokenRequest(ctx, parseParams(new URLSearchParams(params)), null);
      } catch {
        // The failure is what is counted.
      }
    };
    const client = { client_id: application.clientId };
    await request({ grant_type: "client_credentials", ...client, client_secret: "wrong" });
    await request({ grant_type: "client_credentials", ...client, client_secret: "wrong again" });
    await request({ grant_type: "client_credentials", ...client, client_secret: clientSecret!, scope: "no-such" });
    await request({ grant_type: "password", ...client, client_secret: clientSecret! });
    await request({ grant_type: "client_credentials", client_id: "nobody", client_secret: "x" });
    await request({ grant_type: "client_credentials", ...client, client_secret: clientSecret! });
    await counter.flush();

    const today = await failureBreakdown(db, { days: 1 });
    expect(today.total).toBe(5);
    expect(today.byError).toEqual([
      { error: "invalid_client", count: 3 },
      { error: "invalid_scope", count: 1 },
      { error: "unauthorized_client", count: 1 },
    ]);
    expect(today.byApplication).toEqual([
      {
        id: application.id,
        name: "Failing Reports",
        count: 4,
        errors: [
          { error: "invalid_client", count: 2 },
          { error: "invalid_scope", count: 1 },
          { error: "unauthorized_client", count: 1 },
        ],
      },
      { id: "", name: null, count: 1, errors: [{ error: "invalid_client", count: 1 }] },
    ]);

    // Counts from before error codes were kept, and older days, count in a longer period only.
    const day = (back: number) => new Date(Date.now() - back * 24 * 3600 * 1000).toISOString().slice(0, 10);
    await db.usageCounter.createMany({
      data: [
        { day: day(5), applicationId: application.id, grantType: "refresh_token", outcome: "failed", count: 7 },
        {
          day: day(40),
          applicationId: application.id,
          grantType: "refresh_token",
          outcome: "failed",
          error: "invalid_grant",
          count: 9,
        },
        { day: day(5), applicationId: application.id, grantType: "client_credentials", outcome: "issued", count: 50 },
      ],
    });
    const week = await failureBreakdown(db, { days: 7 });
    expect(week.total).toBe(12);
    expect(week.byError[0]).toEqual({ error: "", count: 7 });
    const quarter = await failureBreakdown(db, { days: 90, applicationId: application.id });
    expect(quarter).toMatchObject({ total: 20, filteredName: "Failing Reports" });
    expect(quarter.byApplication.map((row) => row.id)).toEqual([application.id]);
    expect(quarter.byError).toEqual([
      { error: "invalid_grant", count: 9 },
      { error: "", count: 7 },
      { error: "invalid_client", count: 2 },
      { error: "invalid_scope", count: 1 },
      { error: "unauthorized_client", count: 1 },
    ]);
    expect((await failureBreakdown(db, { days: 1, applicationId: "" })).total).toBe(1);

    // Counts outlive the application: it shows as deleted.
    await deleteApplication(db, application.id, cliActor);
    const after = await failureBreakdown(db, { days: 1 });
    expect(after.byApplication[0]).toMatchObject({ id: application.id, name: null, count: 4 });
    expect(await failureBreakdown(db, { days: 1, applicationId: application.id })).toMatchObject({
      filteredName: null,
    });
  });

  it("is empty when nothing failed", async () => {
    const none = await failureBreakdown(db, { days: 1, now: new Date("2001-01-01T00:00:00Z") });
    expect(none).toMatchObject({ total: 0, byError: [], byApplication: [], from: "2001-01-01", to: "2001-01-01" });
  });
});
