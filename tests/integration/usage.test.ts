/**
 * lib/usage/queries.ts (and the counter that feeds it, and seed-demo) against real SQLite and
 * PostgreSQL databases: 30 full days, grouped by grant type, per application and in total.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectedApps } from "@/lib/access/queries";
import { createApplication, deleteApplication } from "@/lib/applications/commands";
import { listAuditEvents } from "@/lib/audit/queries";
import { cliActor } from "@/lib/audit/record";
import { runCli } from "@/lib/cli/cli";
import type { Db } from "@/lib/db/client";
import { demoMarkerEmail, seedDemo } from "@/lib/maintenance/seed-demo";
import { listRefreshTokens } from "@/lib/tokens/queries";
import { UsageCounter } from "@/lib/usage/counter";
import { dailyUsage, dashboardSummary, topApplications, windowDays } from "@/lib/usage/queries";
import { authenticate } from "@/lib/users/sign-in";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

// 10:00 UTC on 1 March 2031: the window runs from 31 January, across a 28-day February.
const now = new Date("2031-03-01T10:00:00Z");

async function app(db: Db, name: string, grantTypes = ["client_credentials"]) {
  const result = await createApplication(
    db,
    { name, clientType: "confidential", grantTypes, redirectUris: "https://usage.example.com/cb" },
    cliActor,
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.application.id;
}

describe("windowDays", () => {
  it("lists 30 UTC days ending today, oldest first, across month ends", () => {
    const days = windowDays(now);
    expect(days).toHaveLength(30);
    expect(days[0]).toBe("2031-01-31");
    expect(days[1]).toBe("2031-02-01");
    expect(days[28]).toBe("2031-02-28");
    expect(days[29]).toBe("2031-03-01");
    expect(windowDays(new Date("2031-03-01T23:59:59.999Z"), 3)).toEqual(["2031-02-27", "2031-02-28", "2031-03-01"]);
    expect(windowDays(new Date("2031-03-01T00:00:00Z"), 1)).toEqual(["2031-03-01"]);
  });
});

describe.each(providers)("usage queries on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  let alpha: string;
  let beta: string;
  let gone: string;

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
    alpha = await app(db, "Usage Alpha", ["authorization_code", "refresh_token", "client_credentials"]);
    beta = await app(db, "Usage Beta");
    gone = await app(db, "Usage Gone");
    const row = (
      day: string,
      applicationId: string,
      grantType: string,
      outcome: "issued" | "failed",
      count: number,
    ) => ({ day, applicationId, grantType, outcome, count });
    await db.usageCounter.createMany({
      data: [
        row("2031-03-01", alpha, "authorization_code", "issued", 5),
        row("2031-03-01", alpha, "refresh_token", "issued", 7),
        row("2031-02-24", alpha, "authorization_code", "issued", 3),
        row("2031-01-31", alpha, "client_credentials", "issued", 11), // first day of the window
        row("2031-01-30", alpha, "client_credentials", "issued", 1000), // a day too old
        row("2031-03-02", alpha, "client_credentials", "issued", 1000), // tomorrow (a clock ahead)
        row("2031-03-01", alpha, "authorization_code", "failed", 2),
        row("2031-02-28", alpha, "urn:example:made-up", "failed", 4), // unknown grant types are "other"
        row("2031-02-28", alpha, "", "failed", 1),
        row("2031-02-10", beta, "client_credentials", "issued", 40),
        row("2031-02-11", beta, "client_credentials", "issued", 2),
        row("2031-02-11", beta, "client_credentials", "failed", 9),
        row("2031-02-15", gone, "client_credentials", "issued", 30),
        row("2031-02-15", "", "client_credentials", "failed", 6), // no known client
      ],
    });
    // Counts outlive their application.
    await deleteApplication(db, gone, cliActor);
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("gives one application's tokens per day by grant type, every day present", async () => {
    const usage = (await dailyUsage(db, { applicationId: alpha }, { now })).issued;
    expect(usage.days).toEqual(windowDays(now));
    const at = (day: string) => usage.days.indexOf(day);
    expect(usage.byGrantType.map((series) => series.grantType)).toEqual([
      "authorization_code",
      "refresh_token",
      "client_credentials",
    ]);
    const [code, refresh, credentials] = usage.byGrantType;
    expect(code!.counts).toHaveLength(30);
    expect(code!.counts[at("2031-03-01")]).toBe(5);
    expect(code!.counts[at("2031-02-24")]).toBe(3);
    expect(code!.total).toBe(8);
    expect(refresh!.counts[at("2031-03-01")]).toBe(7);
    expect(credentials!.counts[0]).toBe(11);
    expect(credentials!.total).toBe(11);
    expect(usage.totals[at("2031-03-01")]).toBe(12);
    expect(usage.totals.filter((count) => count === 0)).toHaveLength(27);
    expect(usage.total).toBe(26);
  });

  it("groups failures under unknown or missing grant types as other", async () => {
    const usage = (await dailyUsage(db, { applicationId: alpha }, { now })).failed;
    expect(usage.byGrantType.map((series) => [series.grantType, series.total])).toEqual([
      ["authorization_code", 2],
      ["other", 5],
    ]);
    expect(usage.totals[usage.days.indexOf("2031-02-28")]).toBe(5);
    expect(usage.total).toBe(7);
  });

  it("sums every application, including deleted ones and unknown clients, for the dashboard", async () => {
    const issued = (await dailyUsage(db, {}, { now })).issued;
    expect(issued.total).toBe(26 + 42 + 30);
    expect(issued.byGrantType.map((series) => series.grantType)).toEqual([
      "authorization_code",
      "refresh_token",
      "client_credentials",
    ]);
    expect(issued.totals[issued.days.indexOf("2031-02-10")]).toBe(40);
    const failed = (await dailyUsage(db, {}, { now })).failed;
    expect(failed.total).toBe(7 + 9 + 6);
    expect(failed.totals[failed.days.indexOf("2031-02-15")]).toBe(6);
  });

  it("is all zeros, with every day, when nothing was counted", async () => {
    const usage = await dailyUsage(db, { applicationId: beta }, { now: new Date("2031-06-01T00:00:00Z") });
    for (const series of [usage.issued, usage.failed]) {
      expect(series.days).toHaveLength(30);
      expect(series.byGrantType).toEqual([]);
      expect(series.totals).toEqual(Array(30).fill(0));
      expect(series.total).toBe(0);
    }
  });

  it("ranks applications by tokens issued, naming deleted ones null and leaving out unknown clients", async () => {
    expect(await topApplications(db, { now })).toEqual([
      { id: beta, name: "Usage Beta", issued: 42, failed: 9 },
      { id: gone, name: null, issued: 30, failed: 0 },
      { id: alpha, name: "Usage Alpha", issued: 26, failed: 7 },
    ]);
    expect((await topApplications(db, { now, limit: 1 })).map((row) => row.id)).toEqual([beta]);
    expect(await topApplications(db, { now: new Date("2031-06-01T00:00:00Z") })).toEqual([]);
  });

  it("counts applications, users, live access tokens and the window's outcomes", async () => {
    const user = await db.user.create({
      data: { email: `usage-${randomBytes(4).toString("hex")}@example.com`, passwordHash: "x" },
    });
    const token = (expiresAt: Date, revokedAt: Date | null = null) => ({
      tokenHash: randomBytes(32).toString("hex"),
      applicationId: alpha,
      userId: user.id,
      scope: "",
      grantType: "client_credentials",
      expiresAt,
      revokedAt,
    });
    const hour = 3600 * 1000;
    await db.accessToken.createMany({
      data: [
        token(new Date(now.getTime() + hour)),
        token(new Date(now.getTime() + hour)),
        token(new Date(now.getTime() - 1)),
        token(new Date(now.getTime() + hour), now),
      ],
    });
    expect((await dashboardSummary(db, { now })).totals).toEqual({
      applications: 2,
      users: await db.user.count(),
      activeAccessTokens: 2,
      issuedInWindow: 98,
      failedInWindow: 22,
    });
  });

  it("reads what the token endpoint's counter wrote", async () => {
    const counter = new UsageCounter(db, 60_000);
    const today = new Date();
    for (let i = 0; i < 3; i++)
      counter.record({ applicationId: beta, grantType: "client_credentials", outcome: "issued", at: today });
    counter.record({ applicationId: beta, grantType: "password", outcome: "failed", at: today });
    await counter.flush();
    counter.record({ applicationId: beta, grantType: "client_credentials", outcome: "issued", at: today });
    await counter.flush();
    const issued = (await dailyUsage(db, { applicationId: beta }, { now: today })).issued;
    expect(issued.totals.at(-1)).toBe(4);
    const failed = (await dailyUsage(db, { applicationId: beta }, { now: today })).failed;
    expect(failed.byGrantType).toEqual([{ grantType: "password", counts: [...Array(29).fill(0), 1], total: 1 }]);
  });
});

describe.each(providers)("seed-demo on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("fills the dashboard with applications, users who can sign in, tokens and a month of usage; a second run changes nothing", async () => {
    const seedNow = new Date("2031-03-05T15:00:00Z"); // a Wednesday
    const result = await seedDemo(db, cliActor, { now: seedNow });
    if (!result.seeded) throw new Error(result.reason);

    expect(result.applications).toHaveLength(4);
    expect(result.applications.filter((app) => app.trusted)).toHaveLength(1);
    expect(result.applications.filter((app) => app.clientType === "public").map((app) => app.clientSecret)).toEqual([
      null,
    ]);
    expect(new Set(result.applications.flatMap((app) => app.grantTypes))).toEqual(
      new Set(["authorization_code", "refresh_token", "client_credentials"]),
    );
    expect(result.users.map((user) => user.email)).toContain(demoMarkerEmail);
    expect(await db.consent.count()).toBe(result.consents);
    expect(await db.accessToken.count({ where: { revokedAt: null, expiresAt: { gt: seedNow } } })).toBe(
      result.accessTokens,
    );
    expect(
      await db.refreshToken.count({ where: { revokedAt: null, rotatedAt: null, expiresAt: { gt: seedNow } } }),
    ).toBe(result.refreshTokens);
    expect(result).toMatchObject({ consents: 4, accessTokens: 6, refreshTokens: 4 });
    // Created through the audited commands, by the command line.
    expect(await db.auditEvent.count({ where: { actorEmail: "cli", action: "application.created" } })).toBe(4);

    // A month of use, not one instant: approvals, token families and sign-ins spread over the
    // month the usage history covers, the newest tokens live and some apps quiet for days.
    const monthStart = seedNow.getTime() - 30 * 24 * 3600_000;
    const inMonth = (date: Date) => date.getTime() >= monthStart && date.getTime() <= seedNow.getTime();
    const spread = (dates: Date[]) =>
      (Math.max(...dates.map(Number)) - Math.min(...dates.map(Number))) / (24 * 3600_000);
    const consents = await db.consent.findMany();
    expect(consents.every((consent) => inMonth(consent.createdAt) && consent.expiresAt > seedNow)).toBe(true);
    expect(spread(consents.map((consent) => consent.createdAt))).toBeGreaterThan(10);
    const families = await db.refreshToken.groupBy({
      by: ["familyId"],
      _min: { createdAt: true },
      _count: { _all: true },
    });
    expect(families.every((family) => family._count._all > 1 && inMonth(family._min.createdAt!))).toBe(true);
    const portal = result.applications.find((app) => app.name === "Demo: Customer portal")!;
    const tab = await listRefreshTokens(db, portal.id, 1, 20, seedNow);
    expect(tab.items).toHaveLength(2);
    expect(tab.items.every((row) => inMonth(row.issuedAt))).toBe(true);
    expect(spread(tab.items.map((row) => row.issuedAt))).toBeGreaterThan(7);
    const alice = result.users.find((user) => user.email === demoMarkerEmail)!;
    const connected = await connectedApps(db, alice.id, seedNow);
    expect(connected.map((app) => app.name)).toEqual(["Demo: Customer portal", "Demo: Mobile app"]);
    expect(connected.every((app) => inMonth(app.firstAuthorizedAt) && inMonth(app.lastUsedAt!))).toBe(true);
    expect(spread(connected.map((app) => app.firstAuthorizedAt))).toBeGreaterThan(5);
    const signIns = (await listAuditEvents(db, { action: "auth.signed_in", pageSize: 100 })).items;
    expect(signIns).toHaveLength(5);
    expect(signIns.every((entry) => inMonth(entry.createdAt) && entry.ip && entry.actor.kind === "user")).toBe(true);
    expect(spread(signIns.map((entry) => entry.createdAt))).toBeGreaterThan(15);
    expect((await listAuditEvents(db, { action: "auth.sign_in_failed" })).items).toHaveLength(2);

    for (const user of result.users) {
      expect(await authenticate(db, user.email, user.password)).toMatchObject({ email: user.email, role: "USER" });
    }

    const issued = (await dailyUsage(db, {}, { now: seedNow })).issued;
    expect(issued.total).toBe(result.usage.issued);
    expect(issued.totals.every((count) => count > 0)).toBe(true);
    expect(issued.byGrantType.map((series) => series.grantType)).toEqual([
      "authorization_code",
      "refresh_token",
      "client_credentials",
    ]);
    // A weekly shape: every weekend day is quieter than every midweek day.
    const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();
    const full = issued.days.slice(0, -1).map((day, index) => ({ day: weekday(day), count: issued.totals[index]! }));
    const weekend = full.filter((item) => item.day === 0 || item.day === 6).map((item) => item.count);
    const midweek = full.filter((item) => item.day >= 2 && item.day <= 4).map((item) => item.count);
    expect(Math.max(...weekend)).toBeLessThan(Math.min(...midweek));
    const failed = (await dailyUsage(db, {}, { now: seedNow })).failed;
    expect(failed.total).toBe(result.usage.failed);
    expect(failed.total).toBeGreaterThan(0);
    expect((await topApplications(db, { now: seedNow })).map((row) => row.name)).toEqual(
      expect.arrayContaining(result.applications.map((app) => app.name)),
    );

    const everything = async () => ({
      apps: await db.application.count(),
      users: await db.user.count(),
      consents: await db.consent.count(),
      accessTokens: await db.accessToken.count(),
      refreshTokens: await db.refreshToken.count(),
      audit: await db.auditEvent.count(),
      usage: await db.usageCounter.aggregate({ _sum: { count: true } }),
    });
    const before = await everything();
    const again = await seedDemo(db, cliActor, { now: seedNow });
    expect(again.seeded).toBe(false);
    const out: string[] = [];
    expect(await runCli(db, ["seed-demo", "--json"], { out: (line) => out.push(line), err: () => {} })).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ seeded: false });
    expect(await everything()).toEqual(before);
  });
});
