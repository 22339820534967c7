/**
 * What admins and users do to accounts (lib/users/commands.ts, queries.ts) against real, migrated
 * SQLite and PostgreSQL databases: listing and search, disabling (which ends tokens and sign-in),
 * roles and the last-admin rule, changing one's own password, and the audit trail of each.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/applications/commands";
import { systemActor, type Actor } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import type { ProtocolContext } from "@/lib/oauth/context";
import { OAuthError } from "@/lib/oauth/errors";
import { handleIntrospection } from "@/lib/oauth/introspect";
import { parseParams } from "@/lib/oauth/params";
import { hashCredential } from "@/lib/oauth/secrets";
import { handleTokenRequest } from "@/lib/oauth/token";
import { settings } from "@/lib/config/settings";
import { startSession } from "@/lib/sessions/commands";
import { resolveSession } from "@/lib/sessions/queries";
import { changePassword, createUser, lastAdminMessage, setUserDisabled, setUserRole } from "@/lib/users/commands";
import { authenticate } from "@/lib/users/sign-in";
import { enabledAdminCount, findUser, listUsers, userListQueryFrom } from "@/lib/users/queries";
import { testProtocol } from "../support/protocol.ts";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

interface Person {
  id: string;
  email: string;
  password: string;
}

const lifetimes = { maxAge: 12 * 3600, idleTimeout: 1800 };
const origin = { userAgent: "vitest", ip: "192.0.2.10" };

const actorOf = (person: Person): Actor => ({ kind: "user", id: person.id, email: person.email, ip: "192.0.2.10" });

describe.each(providers)("user administration on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  let ctx: ProtocolContext;
  let client: { clientId: string; clientSecret: string };
  let counter = 0;

  async function person(options: { admin?: boolean; name?: string; email?: string } = {}): Promise<Person> {
    counter += 1;
    const email = options.email ?? `person-${counter}@example.com`;
    const password = `long-password-${counter}`;
    const result = await createUser(
      db,
      { email, password, name: options.name ?? `Person ${counter}`, admin: options.admin ?? false },
      systemActor,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return { id: result.user.id, email: result.user.email, password };
  }

  async function issue(user: Person) {
    const { response } = await handleTokenRequest(
      ctx,
      parseParams(
        new URLSearchParams({
          grant_type: "password",
          username: user.email,
          password: user.password,
          scope: "read",
          client_id: client.clientId,
          client_secret: client.clientSecret,
        }),
      ),
      null,
    );
    return { access: response.access_token, refresh: response.refresh_token! };
  }

  async function refreshError(token: string): Promise<string | null> {
    try {
      await handleTokenRequest(
        ctx,
        parseParams(
          new URLSearchParams({
            grant_type: "refresh_token",
            refresh_token: token,
            client_id: client.clientId,
            client_secret: client.clientSecret,
          }),
        ),
        null,
      );
      return null;
    } catch (error) {
      if (error instanceof OAuthError) return error.code;
      throw error;
    }
  }

  async function active(token: string): Promise<boolean> {
    const { response } = await handleIntrospection(
      ctx,
      parseParams(new URLSearchParams({ token, client_id: client.clientId, client_secret: client.clientSecret })),
      null,
    );
    return response.active;
  }

  const auditOf = (targetUserId: string, action?: string) =>
    db.auditEvent.findMany({
      where: { targetUserId, ...(action ? { action } : {}) },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });

  /** Leaves `keep` as the only enabled admin (other tests' admins are demoted behind the scenes). */
  async function onlyAdmin(keep: Person) {
    await db.user.updateMany({ where: { role: "ADMIN", id: { not: keep.id } }, data: { role: "USER" } });
  }

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
    ctx = testProtocol(db);
    const app = await createApplication(
      db,
      { name: "Back office", clientType: "confidential", grantTypes: ["password", "refresh_token"] },
      systemActor,
    );
    if (!app.ok) throw new Error(JSON.stringify(app.errors));
    client = { clientId: app.application.clientId, clientSecret: app.clientSecret! };
  });
  afterAll(async () => {
    await t?.drop();
  });

  describe("listUsers and findUser", () => {
    beforeAll(async () => {
      await person({ email: "zed.alpha@example.com", name: "Zed Alpha" });
      await person({ email: "yolanda@example.org", name: "Yolanda SMITH" });
      const disabled = await person({ email: "xavier@example.com", name: "Xavier Smithson" });
      await db.user.update({ where: { id: disabled.id }, data: { disabled: true } });
      await person({ email: "wanda@example.com", name: "Wanda", admin: true });
    });

    it("searches email and name ignoring case, on both databases", async () => {
      const bySearch = async (search: string) => (await listUsers(db, { search })).items.map((user) => user.email);
      expect(await bySearch("SMITH")).toEqual(["xavier@example.com", "yolanda@example.org"]);
      expect(await bySearch("Example.ORG")).toEqual(["yolanda@example.org"]);
      expect(await bySearch("zed ALPHA")).toEqual(["zed.alpha@example.com"]);
      expect(await bySearch("nobody-here")).toEqual([]);
    });

    it("filters by role and status, pages without overlap, and never returns a password hash", async () => {
      const admins = await listUsers(db, { role: "ADMIN", search: "wanda" });
      expect(admins.items.map((user) => [user.email, user.role])).toEqual([["wanda@example.com", "ADMIN"]]);
      expect((await listUsers(db, { status: "disabled" })).items.map((user) => user.email)).toEqual([
        "xavier@example.com",
      ]);
      expect((await listUsers(db, { status: "active", search: "smith" })).items.map((user) => user.email)).toEqual([
        "yolanda@example.org",
      ]);

      const all = await listUsers(db, { pageSize: 100 });
      const seen: string[] = [];
      for (let page = 1; page <= Math.ceil(all.total / 2); page++) {
        const result = await listUsers(db, { page, pageSize: 2 });
        expect(result).toMatchObject({ page, pageSize: 2, total: all.total, pageCount: Math.ceil(all.total / 2) });
        seen.push(...result.items.map((user) => user.id));
      }
      expect(seen).toEqual(all.items.map((user) => user.id));
      // A page past the end shows the last page.
      expect((await listUsers(db, { page: 999, pageSize: 2 })).page).toBe(Math.ceil(all.total / 2));

      const first = all.items[0]!;
      const detail = await findUser(db, first.id);
      expect(detail).toMatchObject({ id: first.id, email: first.email });
      expect(JSON.stringify([all, detail])).not.toContain("argon2");
      expect(await findUser(db, "missing")).toBeNull();
    });

    it("reads list parameters from the URL, dropping malformed ones", () => {
      expect(userListQueryFrom({ q: "  ann ", role: "admin", status: "disabled", page: "3" })).toEqual({
        search: "ann",
        role: "ADMIN",
        status: "disabled",
        page: 3,
      });
      expect(userListQueryFrom({ q: "", role: "root", status: "gone", page: "-1" })).toEqual({
        search: undefined,
        role: undefined,
        status: undefined,
        page: undefined,
      });
    });
  });

  describe("disabling and enabling", () => {
    it("disabling revokes every token, ends sessions and blocks sign-in, in one audited change; enabling lets them sign in again", async () => {
      const admin = await person({ admin: true });
      const user = await person();
      const tokens = await issue(user);
      const other = await person();
      const otherTokens = await issue(other);
      expect(await active(tokens.access)).toBe(true);
      const session = await startSession(db, user.id, origin, lifetimes);
      const othersSession = await startSession(db, other.id, origin, lifetimes);
      const now = new Date(Date.now() + 5_000);

      const result = await setUserDisabled(db, user.id, true, actorOf(admin), now);
      expect(result).toMatchObject({ ok: true, changed: true, user: { id: user.id, disabled: true } });

      const after = await db.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(after.disabled).toBe(true);
      expect(await resolveSession(db, session.secret, lifetimes, now)).toBeNull();
      expect(await db.session.findUniqueOrThrow({ where: { id: session.id } })).toMatchObject({ revokedAt: now });
      expect(await resolveSession(db, othersSession.secret, lifetimes, now)).toMatchObject({ user: { id: other.id } });
      expect(await db.accessToken.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
      expect(await db.refreshToken.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
      expect(await active(tokens.access)).toBe(false);
      expect(await refreshError(tokens.refresh)).toBe("invalid_grant");
      expect(await authenticate(db, user.email, user.password)).toBeNull();
      // Someone else's tokens are untouched.
      expect(await active(otherTokens.access)).toBe(true);

      const audit = await auditOf(user.id, "user.disabled");
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actorId: admin.id, actorEmail: admin.email, ip: "192.0.2.10" });
      expect(JSON.parse(audit[0]!.details)).toEqual({
        email: user.email,
        changes: { disabled: { from: false, to: true } },
        revoked: { accessTokens: 1, refreshTokens: 1 },
        sessionsEnded: 1,
      });

      // Disabling again changes nothing and records nothing.
      expect(await setUserDisabled(db, user.id, true, actorOf(admin))).toMatchObject({ ok: true, changed: false });
      expect(await auditOf(user.id, "user.disabled")).toHaveLength(1);

      const enabled = await setUserDisabled(db, user.id, false, actorOf(admin));
      expect(enabled).toMatchObject({ ok: true, changed: true, user: { disabled: false } });
      expect(await authenticate(db, user.email, user.password)).toMatchObject({ id: user.id });
      // Tokens revoked while disabled stay revoked.
      expect(await refreshError(tokens.refresh)).toBe("invalid_grant");
      const enabledAudit = await auditOf(user.id, "user.enabled");
      expect(enabledAudit).toHaveLength(1);
      expect(JSON.parse(enabledAudit[0]!.details)).toEqual({
        email: user.email,
        changes: { disabled: { from: true, to: false } },
      });
    });

    it("reports a missing user without writing anything", async () => {
      const admin = await person({ admin: true });
      const auditBefore = await db.auditEvent.count();
      expect(await setUserDisabled(db, "missing", true, actorOf(admin))).toMatchObject({
        ok: false,
        reason: "not_found",
      });
      expect(await setUserRole(db, "missing", "ADMIN", actorOf(admin))).toMatchObject({
        ok: false,
        reason: "not_found",
      });
      expect(await db.auditEvent.count()).toBe(auditBefore);
    });
  });

  describe("roles and the last-admin rule", () => {
    it("promotes and demotes with a before/after audit row each", async () => {
      const admin = await person({ admin: true });
      const user = await person();
      expect(await setUserRole(db, user.id, "ADMIN", actorOf(admin))).toMatchObject({
        ok: true,
        changed: true,
        user: { role: "ADMIN" },
      });
      expect(await setUserRole(db, user.id, "ADMIN", actorOf(admin))).toMatchObject({ ok: true, changed: false });
      expect(await setUserRole(db, user.id, "USER", actorOf(admin))).toMatchObject({
        ok: true,
        changed: true,
        user: { role: "USER" },
      });
      const audit = await auditOf(user.id, "user.role_changed");
      expect(audit.map((row) => JSON.parse(row.details))).toEqual([
        { email: user.email, changes: { role: { from: "USER", to: "ADMIN" } } },
        { email: user.email, changes: { role: { from: "ADMIN", to: "USER" } } },
      ]);
    });

    it("the last enabled admin can neither demote nor disable themselves; a disabled admin does not count", async () => {
      const last = await person({ admin: true });
      await onlyAdmin(last);
      const dormant = await person({ admin: true });
      await db.user.update({ where: { id: dormant.id }, data: { disabled: true } });
      expect(await enabledAdminCount(db)).toBe(1);
      const auditBefore = await db.auditEvent.count();

      const demote = await setUserRole(db, last.id, "USER", actorOf(last));
      expect(demote).toEqual({ ok: false, reason: "last_admin", message: lastAdminMessage });
      const disable = await setUserDisabled(db, last.id, true, actorOf(last));
      expect(disable).toEqual({ ok: false, reason: "last_admin", message: lastAdminMessage });

      const row = await db.user.findUniqueOrThrow({ where: { id: last.id } });
      expect(row).toMatchObject({ role: "ADMIN", disabled: false });
      expect(await db.auditEvent.count()).toBe(auditBefore);

      // Changing someone else, or the disabled admin, is still fine.
      const user = await person();
      expect(await setUserDisabled(db, user.id, true, actorOf(last))).toMatchObject({ ok: true, changed: true });
      expect(await setUserRole(db, dormant.id, "USER", actorOf(last))).toMatchObject({ ok: true, changed: true });

      // With a second enabled admin, the first may step down.
      const successor = await person();
      expect(await setUserRole(db, successor.id, "ADMIN", actorOf(last))).toMatchObject({ ok: true, changed: true });
      expect(await setUserRole(db, last.id, "USER", actorOf(last))).toMatchObject({ ok: true, changed: true });
      expect(await enabledAdminCount(db)).toBe(1);
      // And now the successor is the last one.
      expect(await setUserDisabled(db, successor.id, true, actorOf(successor))).toMatchObject({
        ok: false,
        reason: "last_admin",
      });
    });

    it("two admins demoting each other at once leave exactly one admin", async () => {
      const first = await person({ admin: true });
      await onlyAdmin(first);
      const second = await person({ admin: true });
      expect(await enabledAdminCount(db)).toBe(2);

      const results = await Promise.all([
        setUserRole(db, second.id, "USER", actorOf(first)),
        setUserRole(db, first.id, "USER", actorOf(second)),
      ]);
      expect(results.filter((result) => result.ok).length).toBe(1);
      expect(results.filter((result) => !result.ok && result.reason === "last_admin").length).toBe(1);
      expect(await enabledAdminCount(db)).toBe(1);

      const third = await person({ admin: true });
      const survivor = (
        await db.user.findFirstOrThrow({ where: { role: "ADMIN", disabled: false, id: { not: third.id } } })
      ).id;
      // Disable and demote racing: still never zero.
      const race = await Promise.all([
        setUserDisabled(db, third.id, true, actorOf(first)),
        setUserRole(db, survivor, "USER", actorOf(first)),
      ]);
      expect(race.filter((result) => result.ok).length).toBe(1);
      expect(await enabledAdminCount(db)).toBe(1);
    });
  });

  describe("changePassword", () => {
    let user: Person;
    beforeEach(async () => {
      user = await person();
    });

    it("refuses a wrong current password, a short or repeated new one and a mismatched confirmation, next to each field", async () => {
      const self = actorOf(user);
      expect(
        await changePassword(
          db,
          user.id,
          { currentPassword: "wrong-one-here", newPassword: "brand-new-pass", confirmPassword: "brand-new-pass" },
          self,
        ),
      ).toEqual({
        ok: false,
        errors: { currentPassword: ["That is not your current password"] },
      });
      expect(
        await changePassword(
          db,
          user.id,
          { currentPassword: user.password, newPassword: "short", confirmPassword: "short" },
          self,
        ),
      ).toEqual({
        ok: false,
        errors: { newPassword: ["Must be at least 8 characters"] },
      });
      expect(
        await changePassword(
          db,
          user.id,
          { currentPassword: user.password, newPassword: "brand-new-pass", confirmPassword: "brand-new-typo" },
          self,
        ),
      ).toEqual({
        ok: false,
        errors: { confirmPassword: ["Doesn't match the new password"] },
      });
      expect(
        await changePassword(
          db,
          user.id,
          { currentPassword: user.password, newPassword: user.password, confirmPassword: user.password },
          self,
        ),
      ).toEqual({
        ok: false,
        errors: { newPassword: ["Choose a password different from your current one"] },
      });
      expect(
        await changePassword(
          db,
          user.id,
          { currentPassword: "", newPassword: "brand-new-pass", confirmPassword: "brand-new-pass" },
          self,
        ),
      ).toMatchObject({
        ok: false,
        errors: { currentPassword: ["Enter your current password"] },
      });
      expect(await authenticate(db, user.email, user.password)).not.toBeNull();
      expect(await auditOf(user.id, "user.password_changed")).toHaveLength(0);
    });

    it("counts wrong current passwords with the sign-in throttle: after the limit even the right one waits, and so does sign-in from that address", async () => {
      const { freeFailures, firstDelay } = settings().signInThrottle;
      const self = actorOf(user);
      const attempt = (currentPassword: string) =>
        changePassword(
          db,
          user.id,
          { currentPassword, newPassword: "brand-new-pass", confirmPassword: "brand-new-pass" },
          self,
        );
      for (let i = 0; i < freeFailures; i++) {
        expect(await attempt(`wrong-guess-${i}`)).toEqual({
          ok: false,
          errors: { currentPassword: ["That is not your current password"] },
        });
      }
      const blocked = { ok: false, errors: { currentPassword: ["Too many wrong passwords: try again in 30 seconds"] } };
      expect(firstDelay).toBe(30);
      expect(await attempt(user.password)).toEqual(blocked);
      expect(await authenticate(db, user.email, user.password, { ip: "192.0.2.10" })).toBeNull();
      expect(await auditOf(user.id, "user.password_changed")).toHaveLength(0);
      // The guess that started the block is audited, by the user; the refusals after it are not.
      expect(await auditOf(user.id, "auth.sign_in_throttled")).toEqual([
        expect.objectContaining({ actorId: user.id, ip: "192.0.2.10" }),
      ]);
      // Once the wait is over, the right password works again.
      const later = new Date(Date.now() + firstDelay * 1000 + 1_000);
      expect(
        await changePassword(
          db,
          user.id,
          { currentPassword: user.password, newPassword: "brand-new-pass", confirmPassword: "brand-new-pass" },
          self,
          later,
        ),
      ).toMatchObject({ ok: true });
    });

    it("replaces the password, ends earlier sessions, revokes app tokens and audits once without the password or its hash", async () => {
      const before = await db.user.findUniqueOrThrow({ where: { id: user.id } });
      const app = await db.application.create({
        data: { name: "Connected", clientId: `connected-${user.id}`, clientType: "PUBLIC" },
      });
      const later = new Date(Date.now() + 3_600_000);
      const owned = { applicationId: app.id, userId: user.id, scope: "openid", familyId: `family-${user.id}` };
      await db.accessToken.create({
        data: { ...owned, tokenHash: `a-${user.id}`, grantType: "password", expiresAt: later },
      });
      await db.refreshToken.create({ data: { ...owned, tokenHash: `r-${user.id}`, expiresAt: later } });
      const sessions = [
        await startSession(db, user.id, origin, lifetimes),
        await startSession(db, user.id, origin, lifetimes),
      ];
      const now = new Date(Date.now() + 5_000);
      const next = "a-brand-new-password";
      expect(
        await changePassword(
          db,
          user.id,
          { currentPassword: user.password, newPassword: next, confirmPassword: next },
          actorOf(user),
          now,
        ),
      ).toEqual({ ok: true });

      expect(await authenticate(db, user.email, user.password)).toBeNull();
      expect(await authenticate(db, user.email, next)).toMatchObject({ id: user.id });
      const after = await db.user.findUniqueOrThrow({ where: { id: user.id } });
      for (const session of sessions) expect(await resolveSession(db, session.secret, lifetimes, now)).toBeNull();
      expect(after.passwordHash).not.toBe(before.passwordHash);

      const audit = await auditOf(user.id, "user.password_changed");
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ actorId: user.id, actorEmail: user.email });
      expect(JSON.parse(audit[0]!.details)).toEqual({
        email: user.email,
        sessionsEnded: 2,
        accessTokens: 1,
        refreshTokens: 1,
      });
      expect(await db.accessToken.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
      expect(await db.refreshToken.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);
    });

    it("a disabled user cannot change their password", async () => {
      await db.user.update({ where: { id: user.id }, data: { disabled: true } });
      expect(
        await changePassword(
          db,
          user.id,
          { currentPassword: user.password, newPassword: "another-password", confirmPassword: "another-password" },
          actorOf(user),
        ),
      ).toEqual({
        ok: false,
        errors: { form: ["Your account can no longer sign in."] },
      });
    });
  });

  it("no audit row written here holds a password, a password hash, or a token", async () => {
    const rows = await db.auditEvent.findMany();
    expect(rows.length).toBeGreaterThan(10);
    const text = JSON.stringify(rows);
    expect(text).not.toMatch(/long-password-\d+/);
    expect(text).not.toContain("a-brand-new-password");
    expect(text).not.toContain("$argon2");
    for (const user of await db.user.findMany({ select: { passwordHash: true } }))
      expect(text).not.toContain(user.passwordHash);
    for (const token of await db.accessToken.findMany({ select: { tokenHash: true } }))
      expect(text).not.toContain(token.tokenHash);
    expect(text).not.toContain(client.clientSecret);
    expect(text).not.toContain(hashCredential(client.clientSecret));
  });
});
