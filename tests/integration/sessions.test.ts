/**
 * The session store (lib/sessions) against real, migrated SQLite and PostgreSQL databases, with an
 * injected clock: sign-in, the check every request makes, idle timeout and absolute lifetime,
 * throttled last-seen writes, sign-out and ending sessions (audited), and the user's list.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { endSessions, signOutSession, startSession } from "@/lib/sessions/commands";
import { sessionIdOf } from "@/lib/sessions/policy";
import { listSessions, resolveSession } from "@/lib/sessions/queries";
import { driverOf } from "@/lib/db/client";
import { findSession } from "@/lib/db/session-reader";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

const minute = 60_000;
const lifetimes = { maxAge: 12 * 3600, idleTimeout: 30 * 60 };
const firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0";
const origin = { userAgent: firefox, ip: "198.51.100.7" };
const at = (start: Date, ms: number) => new Date(start.getTime() + ms);

describe.each(providers)("sessions on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  let counter = 0;

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
  });
  afterAll(async () => {
    await t?.drop();
  });

  async function user(): Promise<{ id: string; email: string; actor: Actor }> {
    counter += 1;
    const email = `session-${counter}-${provider}@example.com`;
    const created = await db.user.create({ data: { email, name: `User ${counter}`, passwordHash: "x" } });
    return { id: created.id, email, actor: { kind: "user", id: created.id, email, ip: "192.0.2.1" } };
  }

  const audits = (userId: string, action: string) =>
    db.auditEvent.findMany({ where: { targetUserId: userId, action }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });

  it("a new session resolves to its user, with the sign-in time; only the secret's digest is stored", async () => {
    const person = await user();
    const start = new Date("2030-01-01T09:00:00.000Z");
    const session = await startSession(db, person.id, origin, lifetimes, start);
    expect(session.id).toBe(sessionIdOf(session.secret));
    expect(session.id).not.toBe(session.secret);
    const row = await db.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row).toMatchObject({
      userId: person.id,
      createdAt: start,
      lastSeenAt: start,
      expiresAt: at(start, lifetimes.maxAge * 1000),
      revokedAt: null,
      userAgent: firefox,
      ip: "198.51.100.7",
    });
    expect(JSON.stringify(row)).not.toContain(session.secret);

    expect(await resolveSession(db, session.secret, lifetimes, at(start, minute))).toEqual({
      id: session.id,
      user: { id: person.id, email: person.email, name: expect.any(String), role: "USER" },
      signedInAt: start,
      expiresAt: at(start, lifetimes.maxAge * 1000),
    });
    // The row's id is not a secret: presenting it instead of the secret gets nothing.
    expect(await resolveSession(db, session.id, lifetimes, at(start, minute))).toBeNull();
  });

  it("is read on the driver (one statement) exactly as Prisma reads it, revoked or not, any time zone", async () => {
    expect((await driverOf(db))?.provider).toBe(provider);
    const person = await user();
    const start = new Date("2030-01-01T09:00:00.123Z");
    const session = await startSession(db, person.id, origin, lifetimes, start);
    const prisma = () =>
      db.session.findUniqueOrThrow({
        where: { id: session.id },
        select: {
          id: true,
          createdAt: true,
          lastSeenAt: true,
          expiresAt: true,
          revokedAt: true,
          user: { select: { id: true, email: true, name: true, role: true, disabled: true } },
        },
      });
    const zone = process.env.TZ;
    try {
      process.env.TZ = "America/Los_Angeles";
      expect(await findSession(db, session.id)).toStrictEqual(await prisma());
      await db.session.update({ where: { id: session.id }, data: { revokedAt: at(start, 5 * minute) } });
      await db.user.update({ where: { id: person.id }, data: { disabled: true, role: "ADMIN" } });
      expect(await findSession(db, session.id)).toStrictEqual(await prisma());
    } finally {
      process.env.TZ = zone;
    }
    expect(await findSession(db, "no-such-session")).toBeNull();
  });

  it("junk instead of a secret is simply no session", async () => {
    for (const junk of [undefined, null, 42, {}, "", "short", "x".repeat(43) + "\u0000", "a".repeat(43)]) {
      expect(await resolveSession(db, junk, lifetimes)).toBeNull();
    }
    expect(await signOutSession(db, { not: "a secret" }, null)).toBe(false);
  });

  it("ends after the idle timeout without use; use keeps it alive, writing last-seen at most once a minute", async () => {
    const person = await user();
    const start = new Date("2030-01-02T09:00:00.000Z");
    const session = await startSession(db, person.id, origin, lifetimes, start);
    const lastSeen = async () => (await db.session.findUniqueOrThrow({ where: { id: session.id } })).lastSeenAt;

    // Within a minute of the last write: read, not written.
    expect(await resolveSession(db, session.secret, lifetimes, at(start, 30_000))).not.toBeNull();
    expect(await lastSeen()).toEqual(start);
    // A minute on: written once.
    expect(await resolveSession(db, session.secret, lifetimes, at(start, minute))).not.toBeNull();
    expect(await lastSeen()).toEqual(at(start, minute));

    // Idle for just under the timeout: still live, and the use counts.
    const nearlyIdle = at(start, minute + lifetimes.idleTimeout * 1000 - 1);
    expect(await resolveSession(db, session.secret, lifetimes, nearlyIdle)).not.toBeNull();
    expect(await lastSeen()).toEqual(nearlyIdle);
    // Idle for the whole timeout: ended, and asking again does not revive it.
    const idle = at(nearlyIdle, lifetimes.idleTimeout * 1000);
    expect(await resolveSession(db, session.secret, lifetimes, idle)).toBeNull();
    expect(await lastSeen()).toEqual(nearlyIdle);
    expect(await resolveSession(db, session.secret, lifetimes, at(idle, minute))).toBeNull();
  });

  it("ends at its absolute lifetime however busy it is", async () => {
    const person = await user();
    const start = new Date("2030-01-03T09:00:00.000Z");
    const session = await startSession(db, person.id, origin, lifetimes, start);
    const end = at(start, lifetimes.maxAge * 1000);
    // Used every ten minutes all day.
    for (let time = at(start, 10 * minute); time < end; time = at(time, 10 * minute)) {
      expect(await resolveSession(db, session.secret, lifetimes, time)).not.toBeNull();
    }
    expect(await resolveSession(db, session.secret, lifetimes, at(end, -1))).not.toBeNull();
    expect(await resolveSession(db, session.secret, lifetimes, end)).toBeNull();
    expect(await resolveSession(db, session.secret, lifetimes, at(end, minute))).toBeNull();
  });

  it("a disabled or deleted user's session is no session", async () => {
    const person = await user();
    const session = await startSession(db, person.id, origin, lifetimes);
    await db.user.update({ where: { id: person.id }, data: { disabled: true } });
    expect(await resolveSession(db, session.secret, lifetimes)).toBeNull();
    await db.user.delete({ where: { id: person.id } });
    expect(await db.session.count({ where: { id: session.id } })).toBe(0);
  });

  it("signing out revokes the session for good and is audited once, by the user", async () => {
    const person = await user();
    const session = await startSession(db, person.id, origin, lifetimes);
    const other = await startSession(db, person.id, origin, lifetimes);
    const now = new Date(Date.now() + 1000);
    expect(await signOutSession(db, session.secret, "203.0.113.5", now)).toBe(true);
    expect(await resolveSession(db, session.secret, lifetimes, now)).toBeNull();
    expect(await db.session.findUniqueOrThrow({ where: { id: session.id } })).toMatchObject({ revokedAt: now });
    // Signing out again (the copied cookie) changes and records nothing.
    expect(await signOutSession(db, session.secret, "203.0.113.5")).toBe(false);
    // Only that session: the other browser stays signed in.
    expect(await resolveSession(db, other.secret, lifetimes, now)).not.toBeNull();
    const audit = await audits(person.id, "auth.signed_out");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: person.id, actorEmail: person.email, ip: "203.0.113.5" });
  });

  it("a user ends one session, then all but the current one; each ending is audited with its count", async () => {
    const person = await user();
    const stranger = await user();
    const current = await startSession(db, person.id, origin, lifetimes);
    const phone = await startSession(db, person.id, { userAgent: "curl/8.5.0", ip: null }, lifetimes);
    const laptop = await startSession(db, person.id, origin, lifetimes);
    const tablet = await startSession(db, person.id, origin, lifetimes);
    const theirs = await startSession(db, stranger.id, origin, lifetimes);

    expect((await listSessions(db, person.id, lifetimes)).map((row) => row.id).sort()).toEqual(
      [current.id, phone.id, laptop.id, tablet.id].sort(),
    );
    const phoneRow = (await listSessions(db, person.id, lifetimes)).find((row) => row.id === phone.id);
    expect(phoneRow).toMatchObject({ device: "curl", ip: null });

    // Someone else's session id is not one of theirs to end.
    expect(await endSessions(db, person.id, { kind: "one", sessionId: theirs.id }, person.actor, lifetimes)).toBe(0);
    expect(await resolveSession(db, theirs.secret, lifetimes)).not.toBeNull();

    expect(await endSessions(db, person.id, { kind: "one", sessionId: phone.id }, person.actor, lifetimes)).toBe(1);
    expect(await resolveSession(db, phone.secret, lifetimes)).toBeNull();
    // Twice: nothing left to end, nothing audited.
    expect(await endSessions(db, person.id, { kind: "one", sessionId: phone.id }, person.actor, lifetimes)).toBe(0);

    expect(
      await endSessions(db, person.id, { kind: "others", currentSessionId: current.id }, person.actor, lifetimes),
    ).toBe(2);
    expect(await resolveSession(db, laptop.secret, lifetimes)).toBeNull();
    expect(await resolveSession(db, tablet.secret, lifetimes)).toBeNull();
    expect(await resolveSession(db, current.secret, lifetimes)).not.toBeNull();
    expect(await resolveSession(db, theirs.secret, lifetimes)).not.toBeNull();
    expect((await listSessions(db, person.id, lifetimes)).map((row) => row.id)).toEqual([current.id]);

    const audit = await audits(person.id, "user.sessions_ended");
    expect(audit.map((row) => JSON.parse(row.details))).toEqual([
      { email: person.email, which: "one", sessions: 1 },
      { email: person.email, which: "others", sessions: 2 },
    ]);
    expect(audit[0]).toMatchObject({ actorId: person.id, ip: "192.0.2.1" });
  });

  it("an admin ends every session of a user; sessions already dead are not counted", async () => {
    const person = await user();
    const admin = await user();
    const start = new Date(Date.now() - 2 * lifetimes.idleTimeout * 1000);
    const idle = await startSession(db, person.id, origin, lifetimes, start);
    const live = [
      await startSession(db, person.id, origin, lifetimes),
      await startSession(db, person.id, origin, lifetimes),
    ];
    const adminsOwn = await startSession(db, admin.id, origin, lifetimes);

    expect(await endSessions(db, person.id, { kind: "all" }, admin.actor, lifetimes)).toBe(2);
    for (const session of [idle, ...live]) expect(await resolveSession(db, session.secret, lifetimes)).toBeNull();
    expect(await resolveSession(db, adminsOwn.secret, lifetimes)).not.toBeNull();
    const audit = await audits(person.id, "user.sessions_ended");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: admin.id, targetUserId: person.id });
    expect(JSON.parse(audit[0]!.details)).toEqual({ email: person.email, which: "all", sessions: 2 });
  });

  it("keeps what it stores printable and short: no NUL for PostgreSQL, no megabyte user agents", async () => {
    const person = await user();
    const session = await startSession(
      db,
      person.id,
      { userAgent: `Evil\u0000Agent\n${"x".repeat(5000)}`, ip: "::1\u0000" },
      lifetimes,
    );
    const row = await db.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.userAgent.startsWith("EvilAgent")).toBe(true);
    expect(row.userAgent.length).toBe(512);
    expect(row.ip).toBe("::1");
  });
});
