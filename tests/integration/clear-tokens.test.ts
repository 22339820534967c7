/**
 * lib/maintenance/clear-tokens.ts and its CLI command against real SQLite and PostgreSQL
 * databases: exactly the dead rows go, in batches of the given size, and everything live stays.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/applications/commands";
import { systemActor } from "@/lib/audit/record";
import { runCli } from "@/lib/cli/cli";
import type { Db } from "@/lib/db/client";
import { settings } from "@/lib/config/settings";
import { clearTokens, restPerDelete, type ClearedKind } from "@/lib/maintenance/clear-tokens";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

const hour = 3600 * 1000;
const hash = () => randomBytes(32).toString("hex");

interface Fixture {
  /** Ids that must survive, per table. */
  live: Record<ClearedKind, string[]>;
  /** How many dead rows were made, per table. */
  dead: Record<ClearedKind, number>;
}

/**
 * Every kind of row, live and dead, for two applications and a few users. `closeCall` is how near
 * `now` the closest live and dead rows expire: small when the sweep is given the same `now`, larger
 * when it runs on the real clock (the command line) a few seconds later.
 */
async function populate(db: Db, now: Date, closeCall = 1000): Promise<Fixture> {
  const later = new Date(now.getTime() + hour);
  const earlier = new Date(now.getTime() - hour);
  const apps = [];
  for (const name of ["Sweep A", "Sweep B"]) {
    const created = await createApplication(
      db,
      {
        name,
        clientType: "confidential",
        grantTypes: ["authorization_code", "refresh_token", "client_credentials"],
        redirectUris: "https://sweep.example.com/cb",
      },
      systemActor,
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    apps.push(created.application.id);
  }
  const users = [];
  for (let i = 0; i < 4; i++) {
    users.push(
      (await db.user.create({ data: { email: `sweep-${i}-${randomUUID()}@example.com`, passwordHash: "x" } })).id,
    );
  }
  const [appA, appB] = apps as [string, string];
  const [u0, u1, u2, u3] = users as [string, string, string, string];

  const access = (expiresAt: Date, revokedAt: Date | null = null, applicationId = appA) => ({
    tokenHash: hash(),
    applicationId,
    userId: u0,
    scope: "openid",
    grantType: "authorization_code",
    expiresAt,
    revokedAt,
  });
  // Live: unexpired and unrevoked. Dead: 7 expired, 2 revoked but unexpired, 1 both.
  const liveAccess = [access(later), access(later, null, appB), access(new Date(now.getTime() + closeCall))];
  const deadAccess = [
    ...Array.from({ length: 7 }, (_, i) => access(new Date(earlier.getTime() - i * 1000), null, i % 2 ? appA : appB)),
    access(later, earlier),
    access(later, now),
    access(earlier, earlier),
  ];
  await db.accessToken.createMany({ data: [...liveAccess, ...deadAccess] });

  const refresh = (expiresAt: Date | null, extra: { rotatedAt?: Date; revokedAt?: Date } = {}) => ({
    tokenHash: hash(),
    applicationId: appA,
    userId: u1,
    scope: "openid offline_access",
    familyId: randomUUID(),
    expiresAt,
    ...extra,
  });
  const liveRefresh = [
    refresh(later),
    refresh(null),
    // Rotated but neither expired nor revoked: kept for reuse detection.
    refresh(later, { rotatedAt: earlier }),
    refresh(null, { rotatedAt: earlier }),
  ];
  const deadRefresh = [
    refresh(earlier),
    refresh(earlier, { rotatedAt: earlier }),
    refresh(later, { revokedAt: earlier }),
    refresh(null, { revokedAt: earlier }),
    refresh(later, { rotatedAt: earlier, revokedAt: earlier }),
  ];
  await db.refreshToken.createMany({ data: [...liveRefresh, ...deadRefresh] });

  const code = (expiresAt: Date, consumedAt: Date | null = null) => ({
    codeHash: hash(),
    applicationId: appA,
    userId: u2,
    redirectUri: "https://sweep.example.com/cb",
    scope: "openid",
    authTime: earlier,
    expiresAt,
    consumedAt,
  });
  const liveCodes = [code(later), code(later, now)];
  const deadCodes = [code(earlier), code(earlier, earlier), code(new Date(now.getTime() - closeCall))];
  await db.authorizationCode.createMany({ data: [...liveCodes, ...deadCodes] });

  // Device codes: expired ones are dead, whatever their answer or redemption.
  const deviceCode = (expiresAt: Date, status = "pending", consumedAt: Date | null = null) => ({
    deviceCodeHash: hash(),
    userCodeHash: hash(),
    applicationId: appA,
    scope: "openid",
    status,
    interval: 5,
    expiresAt,
    consumedAt,
  });
  const liveDeviceCodes = [deviceCode(later), deviceCode(later, "approved", now)];
  const deadDeviceCodes = [
    deviceCode(earlier),
    deviceCode(earlier, "denied"),
    deviceCode(earlier, "approved", earlier),
    deviceCode(new Date(now.getTime() - closeCall)),
  ];
  await db.deviceCode.createMany({ data: [...liveDeviceCodes, ...deadDeviceCodes] });

  // One consent per (user, application).
  const consent = (userId: string, applicationId: string, expiresAt: Date) => ({
    userId,
    applicationId,
    scope: "openid",
    expiresAt,
  });
  const liveConsents = [consent(u0, appA, later), consent(u1, appB, later)];
  const deadConsents = [
    consent(u0, appB, earlier),
    consent(u1, appA, earlier),
    consent(u2, appA, earlier),
    consent(u3, appB, earlier),
  ];
  await db.consent.createMany({ data: [...liveConsents, ...deadConsents] });

  // Failed sign-ins count for the throttle's longer window; older ones are dead.
  const { memory, addressWindow } = settings().signInThrottle;
  const windowStart = now.getTime() - Math.max(memory, addressWindow) * 1000;
  const failure = (failedAt: number) => ({ email: "guessed@example.com", failedAt: new Date(failedAt) });
  const liveFailures = [failure(now.getTime()), failure(windowStart + closeCall)];
  const deadFailures = [
    failure(windowStart - closeCall),
    failure(windowStart - hour),
    failure(windowStart - 1.5 * hour),
  ];
  await db.signInFailure.createMany({ data: [...liveFailures, ...deadFailures] });

  // Failed client authentications count for their limit's window; older ones are dead.
  const clientAuthWindowStart = now.getTime() - settings().clientAuthThrottle.window * 1000;
  const clientFailure = (failedAt: number) => ({
    clientId: "guessed",
    source: "192.0.2.1",
    failedAt: new Date(failedAt),
  });
  const liveClientFailures = [clientFailure(now.getTime()), clientFailure(clientAuthWindowStart + closeCall)];
  const deadClientFailures = [
    clientFailure(clientAuthWindowStart - closeCall),
    clientFailure(clientAuthWindowStart - hour),
  ];
  await db.clientAuthFailure.createMany({ data: [...liveClientFailures, ...deadClientFailures] });
  // Wrong user codes count for their limit's window; older ones are dead.
  const userCodeWindowStart = now.getTime() - settings().deviceAuthorization.window * 1000;
  const userCodeFailure = (failedAt: number) => ({ userId: u1, source: "192.0.2.1", failedAt: new Date(failedAt) });
  const liveUserCodeFailures = [userCodeFailure(now.getTime()), userCodeFailure(userCodeWindowStart + closeCall)];
  const deadUserCodeFailures = [userCodeFailure(userCodeWindowStart - closeCall)];
  await db.userCodeFailure.createMany({ data: [...liveUserCodeFailures, ...deadUserCodeFailures] });
  // Password reset links die at their expiry, used or not.
  const resetLink = (expiresAt: Date, usedAt: Date | null = null) => ({
    tokenHash: randomBytes(32).toString("hex"),
    userId: u1,
    expiresAt,
    usedAt,
  });
  const liveResetLinks = [resetLink(new Date(now.getTime() + closeCall)), resetLink(later, earlier)];
  const deadResetLinks = [resetLink(new Date(now.getTime() - closeCall)), resetLink(earlier, earlier)];
  await db.passwordResetToken.createMany({ data: [...liveResetLinks, ...deadResetLinks] });
  // Sessions end when revoked, at their absolute expiry, or after the idle timeout without use.
  const idle = settings().sessions.idleTimeout * 1000;
  const session = (lastSeenAt: number, expiresAt: Date, revokedAt: Date | null = null) => ({
    id: randomBytes(32).toString("base64url"),
    userId: u3,
    createdAt: earlier,
    lastSeenAt: new Date(lastSeenAt),
    expiresAt,
    revokedAt,
  });
  const liveSessions = [
    session(now.getTime(), later),
    session(now.getTime() - idle + closeCall, later),
    session(now.getTime(), new Date(now.getTime() + closeCall)),
  ];
  const deadSessions = [
    session(now.getTime(), later, earlier),
    session(now.getTime() - idle - closeCall, later),
    session(now.getTime() - closeCall, new Date(now.getTime() - closeCall)),
  ];
  await db.session.createMany({ data: [...liveSessions, ...deadSessions] });

  const idsOf = async <T extends { id: string }>(rows: Promise<T[]>) => (await rows).map((row) => row.id).sort();
  return {
    live: {
      accessTokens: await idsOf(
        db.accessToken.findMany({
          where: { tokenHash: { in: liveAccess.map((row) => row.tokenHash) } },
          select: { id: true },
        }),
      ),
      refreshTokens: await idsOf(
        db.refreshToken.findMany({
          where: { tokenHash: { in: liveRefresh.map((row) => row.tokenHash) } },
          select: { id: true },
        }),
      ),
      authorizationCodes: await idsOf(
        db.authorizationCode.findMany({
          where: { codeHash: { in: liveCodes.map((row) => row.codeHash) } },
          select: { id: true },
        }),
      ),
      deviceCodes: await idsOf(
        db.deviceCode.findMany({
          where: { deviceCodeHash: { in: liveDeviceCodes.map((row) => row.deviceCodeHash) } },
          select: { id: true },
        }),
      ),
      consents: await idsOf(db.consent.findMany({ where: { expiresAt: later }, select: { id: true } })),
      signInFailures: await idsOf(
        db.signInFailure.findMany({
          where: { failedAt: { gte: new Date(windowStart + closeCall) } },
          select: { id: true },
        }),
      ),
      clientAuthFailures: await idsOf(
        db.clientAuthFailure.findMany({
          where: { failedAt: { gte: new Date(clientAuthWindowStart + closeCall) } },
          select: { id: true },
        }),
      ),
      userCodeFailures: await idsOf(
        db.userCodeFailure.findMany({
          where: { failedAt: { gte: new Date(userCodeWindowStart + closeCall) } },
          select: { id: true },
        }),
      ),
      sessions: liveSessions.map((row) => row.id).sort(),
      passwordResetTokens: await idsOf(
        db.passwordResetToken.findMany({
          where: { tokenHash: { in: liveResetLinks.map((row) => row.tokenHash) } },
          select: { id: true },
        }),
      ),
    },
    dead: {
      accessTokens: deadAccess.length,
      refreshTokens: deadRefresh.length,
      authorizationCodes: deadCodes.length,
      deviceCodes: deadDeviceCodes.length,
      consents: deadConsents.length,
      signInFailures: deadFailures.length,
      clientAuthFailures: deadClientFailures.length,
      userCodeFailures: deadUserCodeFailures.length,
      sessions: deadSessions.length,
      passwordResetTokens: deadResetLinks.length,
    },
  };
}

/** `count` access tokens of a new application, expired an hour before `now`. */
async function expiredAccessTokens(db: Db, count: number, now: Date): Promise<void> {
  const app = await createApplication(
    db,
    { name: `Sweep ${count}`, clientType: "confidential", grantTypes: ["client_credentials"] },
    systemActor,
  );
  if (!app.ok) throw new Error(JSON.stringify(app.errors));
  await db.accessToken.createMany({
    data: Array.from({ length: count }, () => ({
      tokenHash: hash(),
      applicationId: app.application.id,
      scope: "",
      grantType: "client_credentials",
      expiresAt: new Date(now.getTime() - hour),
    })),
  });
}

async function remaining(db: Db): Promise<Record<ClearedKind, string[]>> {
  const ids = (rows: { id: string }[]) => rows.map((row) => row.id).sort();
  return {
    accessTokens: ids(await db.accessToken.findMany({ select: { id: true } })),
    refreshTokens: ids(await db.refreshToken.findMany({ select: { id: true } })),
    authorizationCodes: ids(await db.authorizationCode.findMany({ select: { id: true } })),
    deviceCodes: ids(await db.deviceCode.findMany({ select: { id: true } })),
    consents: ids(await db.consent.findMany({ select: { id: true } })),
    signInFailures: ids(await db.signInFailure.findMany({ select: { id: true } })),
    clientAuthFailures: ids(await db.clientAuthFailure.findMany({ select: { id: true } })),
    userCodeFailures: ids(await db.userCodeFailure.findMany({ select: { id: true } })),
    sessions: ids(await db.session.findMany({ select: { id: true } })),
    passwordResetTokens: ids(await db.passwordResetToken.findMany({ select: { id: true } })),
  };
}

async function emptyTokenTables(db: Db) {
  await db.accessToken.deleteMany();
  await db.refreshToken.deleteMany();
  await db.authorizationCode.deleteMany();
  await db.deviceCode.deleteMany();
  await db.consent.deleteMany();
  await db.signInFailure.deleteMany();
  await db.clientAuthFailure.deleteMany();
  await db.userCodeFailure.deleteMany();
  await db.session.deleteMany();
  await db.passwordResetToken.deleteMany();
  await db.application.deleteMany();
}

describe.each(providers)("clear-tokens on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
  });
  afterAll(async () => {
    await t?.drop();
  });
  beforeEach(async () => {
    await emptyTokenTables(db);
  });

  it("deletes exactly the dead rows, in batches no larger than the batch size, and reports the counts", async () => {
    const now = new Date();
    const fixture = await populate(db, now);
    const batches: Record<ClearedKind, number[]> = {
      accessTokens: [],
      refreshTokens: [],
      authorizationCodes: [],
      deviceCodes: [],
      consents: [],
      signInFailures: [],
      clientAuthFailures: [],
      userCodeFailures: [],
      sessions: [],
      passwordResetTokens: [],
    };

    const counts = await clearTokens(db, {
      batchSize: 3,
      now,
      onBatch: (kind, deleted) => batches[kind].push(deleted),
    });

    expect(counts).toEqual(fixture.dead);
    expect(await remaining(db)).toEqual(fixture.live);
    // 10 dead access tokens in batches of 3: 3 + 3 + 3 + 1.
    expect(batches.accessTokens).toEqual([3, 3, 3, 1]);
    expect(batches.refreshTokens).toEqual([3, 2]);
    expect(batches.authorizationCodes).toEqual([3]);
    expect(batches.deviceCodes).toEqual([3, 1]);
    expect(batches.consents).toEqual([3, 1]);
    expect(batches.signInFailures).toEqual([3]);
    expect(batches.clientAuthFailures).toEqual([2]);
    expect(batches.userCodeFailures).toEqual([1]);
    expect(batches.sessions).toEqual([3]);
    expect(batches.passwordResetTokens).toEqual([2]);
    for (const sizes of Object.values(batches)) for (const size of sizes) expect(size).toBeLessThanOrEqual(3);

    // Nothing is left to find, and the live rows are still there.
    expect(await clearTokens(db, { batchSize: 3, now })).toEqual({
      accessTokens: 0,
      refreshTokens: 0,
      authorizationCodes: 0,
      deviceCodes: 0,
      consents: 0,
      signInFailures: 0,
      clientAuthFailures: 0,
      userCodeFailures: 0,
      sessions: 0,
      passwordResetTokens: 0,
    });
    expect(await remaining(db)).toEqual(fixture.live);
  });

  it("keeps tokens and codes that are still valid at the given instant, however close to expiry", async () => {
    const now = new Date();
    const fixture = await populate(db, now);
    // Judged an hour earlier, nothing has expired yet: only the revoked rows are dead.
    const counts = await clearTokens(db, { batchSize: 1000, now: new Date(now.getTime() - 2 * hour) });
    expect(counts).toEqual({
      accessTokens: 3,
      refreshTokens: 3,
      authorizationCodes: 0,
      deviceCodes: 0,
      consents: 0,
      signInFailures: 0,
      clientAuthFailures: 0,
      userCodeFailures: 0,
      // The revoked one.
      sessions: 1,
      // Links expire, whether used or not, and nothing else kills them early.
      passwordResetTokens: 0,
    });
    const left = await remaining(db);
    for (const kind of Object.keys(fixture.live) as ClearedKind[])
      expect(left[kind]).toEqual(expect.arrayContaining(fixture.live[kind]));
  });

  it("a batch size of one still clears everything (one row per statement)", async () => {
    const now = new Date();
    const fixture = await populate(db, now);
    let statements = 0;
    const counts = await clearTokens(db, { batchSize: 1, now, onBatch: () => statements++ });
    expect(counts).toEqual(fixture.dead);
    expect(statements).toBe(Object.values(fixture.dead).reduce((sum, count) => sum + count, 0));
    expect(await remaining(db)).toEqual(fixture.live);
  });

  it("clears with the default batch of 1,000 ids (SQLite binds one variable per id; Prisma assumed at most 999)", async () => {
    const now = new Date();
    const dead = 1_500;
    await expiredAccessTokens(db, dead, now);
    await expect(clearTokens(db, { now })).resolves.toMatchObject({ accessTokens: dead });
    expect(await db.accessToken.count()).toBe(0);
  });

  it("with a lock budget, a batch that holds the lock too long makes the next ones smaller", async () => {
    const now = new Date();
    const fixture = await populate(db, now);
    const sizes: number[] = [];
    // No delete can finish within a nanosecond: after the first batch every one is a single row.
    const counts = await clearTokens(db, {
      batchSize: 3,
      now,
      lockBudgetMs: 1e-6,
      onBatch: (kind, deleted) => kind === "accessTokens" && sizes.push(deleted),
    });
    expect(counts).toEqual(fixture.dead);
    expect(sizes).toEqual([3, 1, 1, 1, 1, 1, 1, 1]);
  });

  it("with a lock budget, each kind of row starts with a small batch and doubles it while deletes are quick", async () => {
    const now = new Date();
    await expiredAccessTokens(db, 100, now);
    const sizes: number[] = [];
    // No delete comes near a budget of a minute: only the slow start limits the batches.
    const counts = await clearTokens(db, {
      batchSize: 1000,
      now,
      lockBudgetMs: 60_000,
      onBatch: (kind, deleted) => kind === "accessTokens" && sizes.push(deleted),
    });
    expect(counts.accessTokens).toBe(100);
    expect(sizes).toEqual([32, 64, 4]);
    expect(await db.accessToken.count()).toBe(0);
  });

  it("with a lock budget, rests after each delete three times as long as it took", async () => {
    const now = new Date();
    await expiredAccessTokens(db, 200, now);
    const batches: { reportedAt: number; deleteMs: number }[] = [];
    await clearTokens(db, {
      batchSize: 1000,
      now,
      lockBudgetMs: 60_000,
      onBatch: (kind, _deleted, deleteMs) =>
        kind === "accessTokens" && batches.push({ reportedAt: performance.now(), deleteMs }),
    });
    expect(batches.length).toBe(3);
    for (const [index, batch] of batches.entries()) {
      if (index === 0) continue;
      const previous = batches[index - 1]!;
      // A timer may fire up to a millisecond early by performance.now()'s finer clock.
      expect(batch.reportedAt - previous.reportedAt + 1).toBeGreaterThanOrEqual(
        restPerDelete * previous.deleteMs + batch.deleteMs,
      );
    }
  });

  it("refuses a batch size outside 1..10000", async () => {
    await expect(clearTokens(db, { batchSize: 0 })).rejects.toThrow(RangeError);
    await expect(clearTokens(db, { batchSize: 1.5 })).rejects.toThrow(RangeError);
    await expect(clearTokens(db, { batchSize: 10_001 })).rejects.toThrow(RangeError);
  });

  it("runs from the command line with --batch-size and --json", async () => {
    const fixture = await populate(db, new Date(), 5 * 60 * 1000);
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (line: string) => out.push(line), err: (line: string) => err.push(line) };

    expect(await runCli(db, ["clear-tokens", "--batch-size", "2", "--json"], io)).toBe(0);
    expect(JSON.parse(out.join("\n"))).toEqual({ deleted: fixture.dead, batchSize: 2 });
    expect(await remaining(db)).toEqual(fixture.live);

    out.length = 0;
    expect(await runCli(db, ["clear-tokens"], io)).toBe(0);
    expect(out).toEqual([
      "Deleted 0 access tokens",
      "Deleted 0 refresh tokens",
      "Deleted 0 authorization codes",
      "Deleted 0 expired device codes",
      "Deleted 0 consents",
      "Deleted 0 failed sign-ins past the throttle's window",
      "Deleted 0 failed client authentications past their limit's window",
      "Deleted 0 wrong device user codes past their limit's window",
      "Deleted 0 ended or expired sessions",
      "Deleted 0 expired password reset links",
    ]);

    expect(await runCli(db, ["clear-tokens", "--batch-size", "lots"], io)).toBe(1);
    expect(err.at(-1)).toBe("error: --batch-size: must be a whole number from 1 to 10000");
    expect(await runCli(db, ["clear-tokens", "--batch-size", "0"], io)).toBe(1);
    expect(await runCli(db, ["help"], io)).toBe(0);
    expect(out.at(-1)).toContain("clear-tokens [--batch-size N] [--json]");
    expect(out.at(-1)).toMatch(
      /failed sign-ins too old to count for the sign-in throttle \(and failed client\s+authentications and wrong device user codes for theirs\) and ended or expired sessions/,
    );
  });
});
