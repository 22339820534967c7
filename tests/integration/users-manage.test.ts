/**
 * What an admin does to accounts from the user pages (lib/users/commands.ts, password-reset.ts,
 * queries.ts) against real, migrated SQLite and PostgreSQL databases: conditional profile edits,
 * passwords set by an admin or through a one-time reset link, deletion and what goes with it, the
 * last-admin rule, bulk disabling and the list's sorts.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/applications/commands";
import { systemActor, type Actor } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { startSession } from "@/lib/sessions/commands";
import { resolveSession } from "@/lib/sessions/queries";
import {
  createUser,
  deleteUser,
  disableUsers,
  lastAdminMessage,
  setUserPassword,
  updateUserProfile,
} from "@/lib/users/commands";
import { issuePasswordResetLink, resetLinkState, resetPasswordWithLink } from "@/lib/users/password-reset";
import { findUser, listUsers, userListQueryFrom } from "@/lib/users/queries";
import { authenticate } from "@/lib/users/sign-in";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

interface Person {
  id: string;
  email: string;
  password: string;
}

const lifetimes = { maxAge: 12 * 3600, idleTimeout: 1800 };
const publicUrl = "https://id.example.test";
/** A throttle loose enough for the tests that are not about it. */
const looseThrottle = {
  freeFailures: 100,
  firstDelay: 30,
  maxDelay: 900,
  memory: 3600,
  addressLimit: 1000,
  addressWindow: 900,
};

const actorOf = (person: Person): Actor => ({ kind: "user", id: person.id, email: person.email, ip: "192.0.2.10" });

describe.each(providers)("managing users on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  let counter = 0;
  let admin: Person;

  async function person(options: { admin?: boolean; name?: string; email?: string } = {}): Promise<Person> {
    counter += 1;
    const email = options.email ?? `manage-${counter}@example.com`;
    const password = `long-password-${counter}`;
    const result = await createUser(
      db,
      { email, password, name: options.name ?? `Person ${counter}`, admin: options.admin ?? false },
      systemActor,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return { id: result.user.id, email: result.user.email, password };
  }

  const auditOf = (targetUserId: string, action: string) =>
    db.auditEvent.findMany({ where: { targetUserId, action }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });

  const tokenOf = (url: string) => new URL(url).searchParams.get("token")!;

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
    admin = await person({ admin: true, email: "boss@example.com" });
  });
  afterAll(async () => {
    await t?.drop();
  });

  describe("updateUserProfile", () => {
    it("saves name and email when the user is still at the version the form showed, and audits the diff", async () => {
      const user = await person();
      const before = (await findUser(db, user.id))!;
      const result = await updateUserProfile(
        db,
        user.id,
        { email: "  Renamed@Example.com ", name: "Renamed Person" },
        actorOf(admin),
        { expectedVersion: before.updatedAt },
      );
      expect(result).toMatchObject({ ok: true, changed: true, user: { email: "renamed@example.com" } });
      const after = (await findUser(db, user.id))!;
      expect(after).toMatchObject({ email: "renamed@example.com", name: "Renamed Person" });
      expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
      const [entry] = await auditOf(user.id, "user.updated");
      expect(JSON.parse(entry!.details)).toEqual({
        email: "renamed@example.com",
        changes: {
          email: { from: user.email, to: "renamed@example.com" },
          name: { from: before.name, to: "Renamed Person" },
        },
      });
      expect(entry!.actorId).toBe(admin.id);
      // The new email signs in; the old one no longer does.
      expect(await authenticate(db, "renamed@example.com", user.password)).toMatchObject({ id: user.id });
      expect(await authenticate(db, user.email, user.password)).toBeNull();
    });

    it("refuses, writing nothing, when the user changed after the form was drawn", async () => {
      const user = await person({ name: "Original" });
      const seen = (await findUser(db, user.id))!;
      // Another admin's edit lands first (a millisecond later, so the version moves on both databases).
      await new Promise((resolve) => setTimeout(resolve, 5));
      const other = await updateUserProfile(db, user.id, { email: user.email, name: "Other admin" }, systemActor, {
        expectedVersion: seen.updatedAt,
      });
      expect(other.ok).toBe(true);
      const mine = await updateUserProfile(db, user.id, { email: user.email, name: "Mine" }, actorOf(admin), {
        expectedVersion: seen.updatedAt,
      });
      expect(mine).toMatchObject({ ok: false, conflict: { name: "Other admin", email: user.email } });
      expect((await findUser(db, user.id))!.name).toBe("Other admin");
      expect(await auditOf(user.id, "user.updated")).toHaveLength(1);
      // Conditional on the version the conflict reported, the save goes through.
      if (mine.ok || !("conflict" in mine)) throw new Error("expected a conflict");
      const retried = await updateUserProfile(db, user.id, { email: user.email, name: "Mine" }, actorOf(admin), {
        expectedVersion: mine.conflict.updatedAt,
      });
      expect(retried).toMatchObject({ ok: true, changed: true });
      expect((await findUser(db, user.id))!.name).toBe("Mine");
    });

    it("answers a taken email and invalid input with field errors", async () => {
      const user = await person();
      const other = await person();
      const seen = (await findUser(db, user.id))!;
      expect(
        await updateUserProfile(db, user.id, { email: other.email.toUpperCase(), name: "x" }, actorOf(admin), {
          expectedVersion: seen.updatedAt,
        }),
      ).toEqual({ ok: false, errors: { email: ["Another user already has this email"] } });
      const invalid = await updateUserProfile(db, user.id, { email: "not an email", name: "a\u0000b" }, systemActor);
      expect(invalid).toMatchObject({ ok: false, errors: { email: [expect.any(String)], name: [expect.any(String)] } });
      expect((await findUser(db, user.id))!.email).toBe(user.email);
      expect(
        await updateUserProfile(db, "c000000000000000000000000", { email: "a@b.example", name: "" }, systemActor),
      ).toMatchObject({ ok: false, reason: "not_found" });
    });
  });

  describe("setUserPassword", () => {
    it("sets the password, signs the user out everywhere and audits without the password", async () => {
      const user = await person();
      const session = await startSession(db, user.id, { userAgent: "vitest", ip: null }, lifetimes);
      const result = await setUserPassword(
        db,
        user.id,
        { password: "a-brand-new-password", confirmPassword: "a-brand-new-password" },
        actorOf(admin),
      );
      expect(result).toEqual({ ok: true, email: user.email, sessionsEnded: 1 });
      expect(await resolveSession(db, session.secret, lifetimes)).toBeNull();
      expect(await authenticate(db, user.email, "a-brand-new-password")).toMatchObject({ id: user.id });
      expect(await authenticate(db, user.email, user.password)).toBeNull();
      const [entry] = await auditOf(user.id, "user.password_set");
      expect(entry!.details).not.toContain("a-brand-new-password");
      expect(JSON.parse(entry!.details)).toMatchObject({ email: user.email, sessionsEnded: 1 });
    });

    it("applies the password rules, and refuses the admin's own account", async () => {
      const user = await person();
      expect(
        await setUserPassword(db, user.id, { password: "short", confirmPassword: "other" }, actorOf(admin)),
      ).toMatchObject({ ok: false, errors: { password: [expect.stringMatching(/at least 8/)] } });
      expect(
        await setUserPassword(
          db,
          user.id,
          { password: "long-enough-1", confirmPassword: "long-enough-2" },
          actorOf(admin),
        ),
      ).toEqual({ ok: false, errors: { confirmPassword: ["Doesn't match the new password"] } });
      expect(
        await setUserPassword(
          db,
          admin.id,
          { password: "long-enough-1", confirmPassword: "long-enough-1" },
          actorOf(admin),
        ),
      ).toMatchObject({ ok: false, errors: { form: [expect.stringMatching(/account page/)] } });
      expect(await authenticate(db, user.email, user.password)).toMatchObject({ id: user.id });
    });
  });

  describe("password reset links", () => {
    it("stores only a hash, works once, ends sessions and replaces older links", async () => {
      const user = await person();
      const first = await issuePasswordResetLink(db, user.id, actorOf(admin), { publicUrl, lifetimeSeconds: 3600 });
      const second = await issuePasswordResetLink(db, user.id, actorOf(admin), { publicUrl, lifetimeSeconds: 3600 });
      if (!first.ok || !second.ok) throw new Error("not issued");
      expect(second.link.url).toMatch(/^https:\/\/id\.example\.test\/reset-password\?token=pcp_[\w-]{43}$/);
      const token = tokenOf(second.link.url);
      const rows = await db.passwordResetToken.findMany({ where: { userId: user.id } });
      // The older link is gone; the stored value is the digest, never the token.
      expect(rows).toHaveLength(1);
      expect(rows[0]!.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
      expect(JSON.stringify(rows)).not.toContain(token);
      expect(
        (await db.auditEvent.findMany({ where: { targetUserId: user.id } })).map((e) => e.details).join(),
      ).not.toContain(token);
      expect(await resetLinkState(db, tokenOf(first.link.url))).toEqual({ state: "unknown" });
      expect(await resetLinkState(db, token)).toMatchObject({ state: "valid", email: user.email });

      const session = await startSession(db, user.id, { userAgent: "vitest", ip: null }, lifetimes);
      const mismatch = await resetPasswordWithLink(
        db,
        token,
        { password: "new-pass-word", confirmPassword: "x" },
        null,
        {
          throttle: looseThrottle,
        },
      );
      expect(mismatch).toMatchObject({ ok: false, errors: { confirmPassword: [expect.any(String)] } });
      // A refused form does not spend the link.
      expect(await resetLinkState(db, token)).toMatchObject({ state: "valid" });

      const done = await resetPasswordWithLink(
        db,
        token,
        { password: "new-pass-word", confirmPassword: "new-pass-word" },
        "198.51.100.7",
        { throttle: looseThrottle },
      );
      expect(done).toEqual({ ok: true, email: user.email });
      expect(await authenticate(db, user.email, "new-pass-word")).toMatchObject({ id: user.id });
      expect(await resolveSession(db, session.secret, lifetimes)).toBeNull();
      const [entry] = await auditOf(user.id, "user.password_reset_by_link");
      expect(entry).toMatchObject({ actorId: user.id, ip: "198.51.100.7" });

      // Single use: the same link again is refused and changes nothing.
      expect(
        await resetPasswordWithLink(
          db,
          token,
          { password: "third-password", confirmPassword: "third-password" },
          null,
          {
            throttle: looseThrottle,
          },
        ),
      ).toEqual({ ok: false, link: "used" });
      expect(await authenticate(db, user.email, "new-pass-word")).toMatchObject({ id: user.id });
    });

    it("two submissions of one link at once: exactly one sets a password", async () => {
      const user = await person();
      const issued = await issuePasswordResetLink(db, user.id, systemActor, { publicUrl, lifetimeSeconds: 3600 });
      if (!issued.ok) throw new Error("not issued");
      const token = tokenOf(issued.link.url);
      const results = await Promise.all(
        ["racer-one-password", "racer-two-password"].map((password) =>
          resetPasswordWithLink(db, token, { password, confirmPassword: password }, null, { throttle: looseThrottle }),
        ),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.filter((result) => !result.ok)).toEqual([{ ok: false, link: "used" }]);
      expect(await auditOf(user.id, "user.password_reset_by_link")).toHaveLength(1);
    });

    it("refuses an expired link and unknown ones, then throttles the address", async () => {
      const user = await person();
      const longAgo = new Date(Date.now() - 2 * 3600 * 1000);
      const issued = await issuePasswordResetLink(db, user.id, systemActor, {
        publicUrl,
        lifetimeSeconds: 3600,
        now: longAgo,
      });
      if (!issued.ok) throw new Error("not issued");
      const form = { password: "whatever-long", confirmPassword: "whatever-long" };
      expect(await resetLinkState(db, tokenOf(issued.link.url))).toEqual({ state: "expired" });
      expect(
        await resetPasswordWithLink(db, tokenOf(issued.link.url), form, null, { throttle: looseThrottle }),
      ).toEqual({ ok: false, link: "expired" });
      expect(await authenticate(db, user.email, user.password)).toMatchObject({ id: user.id });
      expect(await resetPasswordWithLink(db, "not-a-token", form, null, { throttle: looseThrottle })).toEqual({
        ok: false,
        link: "unknown",
      });

      const strict = { ...looseThrottle, freeFailures: 3 };
      const ip = "203.0.113.99";
      const wrong = `pcp_${"A".repeat(43)}`;
      for (let attempt = 0; attempt < 3; attempt++) {
        expect(await resetPasswordWithLink(db, wrong, form, ip, { throttle: strict })).toEqual({
          ok: false,
          link: "unknown",
        });
      }
      const blocked = await resetPasswordWithLink(db, wrong, form, ip, { throttle: strict });
      expect(blocked).toMatchObject({ ok: false, retryAfterSeconds: 30, message: expect.stringMatching(/Too many/) });
      // Another address is not affected.
      expect(await resetPasswordWithLink(db, wrong, form, "203.0.113.100", { throttle: strict })).toEqual({
        ok: false,
        link: "unknown",
      });
    });
  });

  describe("deleteUser", () => {
    it("takes the user's sessions, consents, tokens, codes and reset links with them, and audits it", async () => {
      const user = await person();
      const app = await createApplication(
        db,
        {
          name: "Deletion app",
          clientType: "confidential",
          grantTypes: ["authorization_code"],
          redirectUris: ["https://app.example/cb"],
        },
        systemActor,
      );
      if (!app.ok) throw new Error("no app");
      const applicationId = app.application.id;
      const later = new Date(Date.now() + 3600_000);
      await startSession(db, user.id, { userAgent: "vitest", ip: null }, lifetimes);
      await db.consent.create({ data: { userId: user.id, applicationId, scope: "openid", expiresAt: later } });
      await db.accessToken.create({
        data: {
          tokenHash: "at-del",
          applicationId,
          userId: user.id,
          scope: "openid",
          grantType: "x",
          expiresAt: later,
        },
      });
      await db.refreshToken.create({
        data: { tokenHash: "rt-del", applicationId, userId: user.id, scope: "openid", familyId: "f", expiresAt: later },
      });
      await db.authorizationCode.create({
        data: {
          codeHash: "code-del",
          applicationId,
          userId: user.id,
          redirectUri: "https://app.example/cb",
          scope: "openid",
          authTime: new Date(),
          expiresAt: later,
        },
      });
      await issuePasswordResetLink(db, user.id, systemActor, { publicUrl, lifetimeSeconds: 3600 });

      expect(await deleteUser(db, user.id, actorOf(admin))).toEqual({ ok: true, email: user.email });
      const where = { where: { userId: user.id } };
      expect(await findUser(db, user.id)).toBeNull();
      expect(
        await Promise.all([
          db.session.count(where),
          db.consent.count(where),
          db.accessToken.count(where),
          db.refreshToken.count(where),
          db.authorizationCode.count(where),
          db.passwordResetToken.count(where),
        ]),
      ).toEqual([0, 0, 0, 0, 0, 0]);
      const [entry] = await auditOf(user.id, "user.deleted");
      expect(entry!.actorId).toBe(admin.id);
      expect(JSON.parse(entry!.details)).toMatchObject({
        email: user.email,
        sessionsEnded: 1,
        consents: 1,
        accessTokens: 1,
        refreshTokens: 1,
      });
      // The application stays.
      expect(await db.application.count({ where: { id: applicationId } })).toBe(1);
      expect(await deleteUser(db, user.id, actorOf(admin))).toMatchObject({ ok: false, reason: "not_found" });
    });

    it("refuses the admin's own account and the last enabled admin", async () => {
      expect(await deleteUser(db, admin.id, actorOf(admin))).toMatchObject({ ok: false, reason: "self" });
      // Leave `admin` as the only enabled admin; another admin tries to delete them.
      await db.user.updateMany({ where: { role: "ADMIN", id: { not: admin.id } }, data: { role: "USER" } });
      const other = await person({ admin: true });
      await db.user.update({ where: { id: other.id }, data: { disabled: true } });
      const refused = await deleteUser(db, admin.id, actorOf(other));
      expect(refused).toEqual({ ok: false, reason: "last_admin", message: lastAdminMessage });
      expect(await findUser(db, admin.id)).not.toBeNull();
      // With a second enabled admin, the first can go (and is then recreated for the other tests).
      await db.user.update({ where: { id: other.id }, data: { disabled: false } });
      const spare = await person({ admin: true });
      expect(await deleteUser(db, spare.id, actorOf(admin))).toMatchObject({ ok: true });
    });
  });

  describe("disableUsers", () => {
    it("disables each chosen user (audited one by one), skips the admin and reports the rest", async () => {
      const a = await person();
      const b = await person();
      const already = await person();
      await db.user.update({ where: { id: already.id }, data: { disabled: true } });
      const session = await startSession(db, a.id, { userAgent: "vitest", ip: null }, lifetimes);
      const result = await disableUsers(
        db,
        [a.id, b.id, a.id, already.id, admin.id, "c000000000000000000000000"],
        actorOf(admin),
      );
      expect(result).toEqual({
        disabled: [a.email, b.email],
        alreadyDisabled: 1,
        skippedSelf: true,
        refused: [{ id: "c000000000000000000000000", message: "This user no longer exists." }],
      });
      expect((await findUser(db, a.id))!.disabled).toBe(true);
      expect((await findUser(db, admin.id))!.disabled).toBe(false);
      expect(await resolveSession(db, session.secret, lifetimes)).toBeNull();
      expect(await auditOf(a.id, "user.disabled")).toHaveLength(1);
      expect(await auditOf(b.id, "user.disabled")).toHaveLength(1);
      expect(await auditOf(already.id, "user.disabled")).toHaveLength(0);
    });

    it("refuses to disable the last enabled admin", async () => {
      await db.user.updateMany({ where: { role: "ADMIN", id: { not: admin.id } }, data: { role: "USER" } });
      const other = await person();
      const result = await disableUsers(db, [admin.id], actorOf(other));
      expect(result.refused).toEqual([{ id: admin.id, message: lastAdminMessage }]);
      expect((await findUser(db, admin.id))!.disabled).toBe(false);
    });
  });

  describe("listUsers sorting", () => {
    it("sorts by each column in both directions, with never-signed-in users last, and reads it from the URL", async () => {
      const tag = "sorting-case";
      const rows = [
        { email: `${tag}-c@example.com`, name: "Bravo", signIn: new Date("2026-01-03T00:00:00Z") },
        { email: `${tag}-a@example.com`, name: "Charlie", signIn: null },
        { email: `${tag}-b@example.com`, name: "Alpha", signIn: new Date("2026-01-01T00:00:00Z") },
      ];
      for (const row of rows) {
        const created = await person({ email: row.email, name: row.name });
        await db.user.update({ where: { id: created.id }, data: { lastSignInAt: row.signIn } });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const emails = async (params: Record<string, string>) =>
        (await listUsers(db, userListQueryFrom({ q: tag, ...params }))).items.map((user) => user.email[tag.length + 1]);
      expect(await emails({})).toEqual(["a", "b", "c"]);
      expect(await emails({ sort: "email", dir: "desc" })).toEqual(["c", "b", "a"]);
      expect(await emails({ sort: "name" })).toEqual(["b", "c", "a"]);
      expect(await emails({ sort: "name", dir: "desc" })).toEqual(["a", "c", "b"]);
      expect(await emails({ sort: "created" })).toEqual(["c", "a", "b"]);
      expect(await emails({ sort: "created", dir: "desc" })).toEqual(["b", "a", "c"]);
      expect(await emails({ sort: "lastSignIn" })).toEqual(["b", "c", "a"]);
      expect(await emails({ sort: "lastSignIn", dir: "desc" })).toEqual(["c", "b", "a"]);
      // Anything else reads as the default order.
      expect(await emails({ sort: "passwordHash", dir: "sideways" })).toEqual(["a", "b", "c"]);
      // Pages keep the order: one per page.
      const second = await listUsers(db, { ...userListQueryFrom({ q: tag, sort: "name" }), page: 2, pageSize: 1 });
      expect(second.items.map((user) => user.name)).toEqual(["Bravo"]);
    });
  });
});
