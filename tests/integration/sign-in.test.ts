/**
 * Signing in (lib/users/sign-in.ts) against real SQLite and PostgreSQL databases, through the
 * function next-auth's credentials provider calls and through the password grant: what each
 * outcome writes to the audit log (action, actor, account, client address, application), that the
 * throttle's refusals write nothing at all while the failure that starts a block (from the form,
 * the password grant or a password change) audits it, and that the log's filters find each entry
 * by the account it is about.
 */
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/applications/commands";
import { listAuditEvents } from "@/lib/audit/queries";
import { systemActor } from "@/lib/audit/record";
import { settings } from "@/lib/config/settings";
import type { Db } from "@/lib/db/client";
import type { ProtocolContext } from "@/lib/oauth/context";
import { OAuthError } from "@/lib/oauth/errors";
import { parseParams } from "@/lib/oauth/params";
import { handleTokenRequest } from "@/lib/oauth/token";
import { changePassword, createUser, setUserDisabled } from "@/lib/users/commands";
import { authenticate, signIn, signInWithForm } from "@/lib/users/sign-in";
import { accountDisabledCode } from "@/lib/auth/wait";
import { testProtocol } from "../support/protocol.ts";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

const minute = 60_000;

describe.each(providers)("sign-in auditing on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;

  async function person(): Promise<{ id: string; email: string; password: string }> {
    const email = `signer-${randomBytes(4).toString("hex")}@example.com`;
    const password = `pw-${randomBytes(8).toString("hex")}`;
    const result = await createUser(db, { email, password, name: "Signer" }, systemActor);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return { id: result.user.id, email, password };
  }

  /** Every sign-in entry about an email (by its recorded email or its account), oldest first. */
  async function signInRows(email: string, userId: string | null = null) {
    const rows = await db.auditEvent.findMany({
      where: { action: { startsWith: "auth." } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
    return rows
      .filter((row) => (userId && row.targetUserId === userId) || JSON.parse(row.details).email === email)
      .map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
  }

  /** Every table of the database. */
  async function tableNames(): Promise<string[]> {
    const tables: { name: string }[] =
      provider === "sqlite"
        ? await db.$queryRawUnsafe(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
        : await db.$queryRawUnsafe(
            `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
          );
    return tables.map((table) => table.name);
  }

  /** How many rows each table holds: refused attempts must not change any of them. */
  async function tableCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const name of await tableNames()) {
      const [row] = await db.$queryRawUnsafe<{ n: number | bigint }[]>(`SELECT COUNT(*) AS n FROM "${name}"`);
      counts[name] = Number(row!.n);
    }
    return counts;
  }

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
  });
  afterAll(async () => {
    await t?.drop();
  });

  describe("the sign-in form (next-auth's authorize)", () => {
    it("a success is signed in by and about the user, with the address in the ip column", async () => {
      const user = await person();
      const before = new Date();
      expect(
        await signInWithForm(db, { email: ` ${user.email.toUpperCase()} `, password: user.password }, "203.0.113.9"),
      ).toEqual({ id: user.id, email: user.email, name: "Signer" });
      const rows = await signInRows(user.email, user.id);
      expect(rows).toEqual([
        expect.objectContaining({
          action: "auth.signed_in",
          actorId: user.id,
          actorEmail: user.email,
          targetUserId: user.id,
          ip: "203.0.113.9",
          applicationId: null,
          details: {},
        }),
      ]);
      const stored = await db.user.findUniqueOrThrow({ where: { id: user.id } });
      expect(stored.lastSignInAt!.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    });

    it("a wrong password is a failure by an anonymous request, about the account, found by the user filter", async () => {
      const user = await person();
      expect(await signInWithForm(db, { email: user.email, password: "not-the-password" }, "198.51.100.77")).toBeNull();
      const rows = await signInRows(user.email, user.id);
      expect(rows).toEqual([
        expect.objectContaining({
          action: "auth.sign_in_failed",
          actorId: null,
          actorEmail: "anonymous",
          targetUserId: user.id,
          ip: "198.51.100.77",
          details: { email: user.email },
        }),
      ]);
      expect(JSON.stringify(rows)).not.toContain("not-the-password");

      // The log finds it by the account it is about, and shows whom and from where; nobody signed
      // in acted, so the actor filter on the user's email does not claim it.
      const about = (await listAuditEvents(db, { user: user.email })).items;
      expect(about.map((entry) => entry.action)).toEqual(["auth.sign_in_failed", "user.created"]);
      expect(about[0]).toMatchObject({
        actor: { kind: "anonymous", id: null, label: "anonymous" },
        ip: "198.51.100.77",
        targetUser: { id: user.id, label: user.email, exists: true },
        details: [],
      });
      expect((await listAuditEvents(db, { actor: user.email })).items).toEqual([]);
      const anonymous = (await listAuditEvents(db, { actor: "anonymous", user: user.id })).items;
      expect(anonymous.map((entry) => entry.id)).toEqual([about[0]!.id]);
    });

    it("an unknown email is a failure about nobody, naming the email it tried", async () => {
      const email = `nobody-${randomBytes(4).toString("hex")}@example.com`;
      expect(await signInWithForm(db, { email, password: "whatever-password" }, "192.0.2.5")).toBeNull();
      expect(await signInRows(email)).toEqual([
        expect.objectContaining({
          action: "auth.sign_in_failed",
          actorEmail: "anonymous",
          targetUserId: null,
          ip: "192.0.2.5",
          details: { email },
        }),
      ]);
    });

    it("a disabled account fails with its right password, is told so only then, and the entry says it is disabled", async () => {
      const user = await person();
      await setUserDisabled(db, user.id, true, systemActor);
      await expect(signInWithForm(db, { email: user.email, password: user.password }, "192.0.2.6")).rejects.toThrow(
        accountDisabledCode,
      );
      expect(await signInWithForm(db, { email: user.email, password: "not-the-password" }, "192.0.2.6")).toBeNull();
      const rows = await signInRows(user.email, user.id);
      expect(rows.map((row) => [row.action, row.details])).toEqual([
        ["auth.sign_in_failed", { email: user.email, accountDisabled: true }],
        ["auth.sign_in_failed", { email: user.email, accountDisabled: true }],
      ]);
    });

    it("records nothing for a form without an email or with a NUL character, and signs nobody in", async () => {
      const before = await db.auditEvent.count();
      const user = await person();
      const created = (await db.auditEvent.count()) - before;
      expect(await signInWithForm(db, { email: "", password: user.password }, "192.0.2.7")).toBeNull();
      expect(
        await signInWithForm(db, { email: `${user.email}\u0000`, password: user.password }, "192.0.2.7"),
      ).toBeNull();
      expect(
        await signInWithForm(db, { email: user.email, password: `${user.password}\u0000` }, "192.0.2.7"),
      ).toBeNull();
      expect(await signInWithForm(db, undefined, "192.0.2.7")).toBeNull();
      expect(await db.auditEvent.count()).toBe(before + created);
    });
  });

  describe("the throttle", () => {
    const { freeFailures, firstDelay, memory } = settings().signInThrottle;

    /** The form's answer: the user, null for a failure, or the wait next-auth would pass to the page. */
    async function form(email: string, password: string, ip: string | null) {
      try {
        return await signInWithForm(db, { email, password }, ip);
      } catch (error) {
        return (error as Error).message;
      }
    }

    it("the failure that starts a wait audits it once; refused attempts write no row of any kind", async () => {
      const user = await person();
      const start = new Date(Date.now() + 60 * minute);
      const at = (offset: number) => new Date(start.getTime() + offset);
      for (let i = 0; i < freeFailures - 1; i++) {
        expect(await authenticate(db, user.email, `wrong-${i}`, { ip: "203.0.113.50" }, at(i))).toBeNull();
      }
      // Below the limit: failures, no wait yet.
      let rows = await signInRows(user.email, user.id);
      expect(rows.map((row) => row.action)).toEqual(Array(freeFailures - 1).fill("auth.sign_in_failed"));
      expect(await db.signInFailure.count({ where: { email: user.email } })).toBe(freeFailures - 1);

      // The failure that brings the count to the limit writes its own entry and the block's.
      expect(await authenticate(db, user.email, "wrong-last", { ip: "203.0.113.50" }, at(minute))).toBeNull();
      rows = await signInRows(user.email, user.id);
      expect(rows.map((row) => row.action)).toEqual([
        ...Array(freeFailures).fill("auth.sign_in_failed"),
        "auth.sign_in_throttled",
      ]);
      expect(rows.at(-1)).toEqual(
        expect.objectContaining({
          actorId: null,
          actorEmail: "anonymous",
          targetUserId: user.id,
          ip: "203.0.113.50",
          applicationId: null,
          details: { email: user.email, blocked: "account from this address", retryAfterSeconds: firstDelay },
        }),
      );
      expect(await db.signInFailure.count({ where: { email: user.email } })).toBe(freeFailures);

      // Waiting now: the right password is refused too, with the time left, and no refusal writes
      // anything, neither one at a time nor in a burst, with the right password or a wrong one.
      const before = await tableCounts();
      const refused = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          signIn(db, user.email, i % 2 ? user.password : `burst-${i}`, { ip: "203.0.113.50" }, at(minute + 10_000)),
        ),
      );
      expect(refused).toEqual(Array(8).fill({ user: null, retryAfterSeconds: firstDelay - 10 }));
      expect(await tableCounts()).toEqual(before);
      expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).lastSignInAt).toBeNull();
      expect(await signInRows(user.email, user.id)).toHaveLength(freeFailures + 1);

      // Failures older than the memory no longer count; new ones start a wait again, and that
      // one is audited once more, by the failure that started it.
      const later = (offset: number) => at(memory * 1000 + 5 * minute + offset);
      for (let i = 0; i < freeFailures; i++) {
        expect(await authenticate(db, user.email, `again-${i}`, { ip: "203.0.113.61" }, later(i))).toBeNull();
      }
      const beforeSecond = await tableCounts();
      for (let i = 0; i < 3; i++) {
        expect(await authenticate(db, user.email, user.password, { ip: "203.0.113.61" }, later(100 + i))).toBeNull();
      }
      expect(await tableCounts()).toEqual(beforeSecond);
      rows = await signInRows(user.email, user.id);
      expect(rows.filter((row) => row.action === "auth.sign_in_throttled").map((row) => row.ip)).toEqual([
        "203.0.113.50",
        "203.0.113.61",
      ]);
      expect(rows).toHaveLength(2 * freeFailures + 2);
      expect((await listAuditEvents(db, { user: user.email, action: "auth.sign_in_throttled" })).items).toHaveLength(2);
    });

    it("the form's refusal says how long to wait, and so does an unknown email's: it tells nothing about the account", async () => {
      const user = await person();
      const unknown = `unknown-${randomBytes(4).toString("hex")}@example.com`;
      for (const email of [user.email, unknown]) {
        for (let i = 0; i < freeFailures; i++) expect(await form(email, `nope-${i}`, "198.51.100.40")).toBeNull();
        expect(await form(email, user.password, "198.51.100.40")).toMatch(/^throttled-(29|30)$/);
      }
    });

    it("refused attempts need no write lock: they are answered while another connection holds it", async () => {
      const user = await person();
      await db.signInFailure.createMany({
        data: Array.from({ length: freeFailures }, () => ({ email: user.email, failedAt: new Date() })),
      });
      // Another process is writing (SQLite: holds the database's one write lock; PostgreSQL: holds
      // every table in a mode that lets readers through and makes writers wait).
      const names = await tableNames();
      let release: () => Promise<void>;
      if (t.target.provider === "sqlite") {
        const other = new Database(t.target.file, { timeout: 0 });
        other.exec("BEGIN IMMEDIATE");
        release = async () => {
          other.exec("ROLLBACK");
          other.close();
        };
      } else {
        const other = new pg.Client({ connectionString: t.target.url });
        await other.connect();
        await other.query("BEGIN");
        await other.query(`LOCK TABLE ${names.map((name) => `"${name}"`).join(", ")} IN EXCLUSIVE MODE`);
        release = async () => {
          await other.query("ROLLBACK");
          await other.end();
        };
      }
      try {
        const started = Date.now();
        const refused = Promise.all(Array.from({ length: 4 }, () => form(user.email, user.password, null)));
        const waited = new Promise<"waited">((resolve) => setTimeout(() => resolve("waited"), 5_000).unref());
        // A write would wait for the lock (SQLite: the 10 s busy timeout, then an error).
        expect(await Promise.race([refused, waited])).toEqual(Array(4).fill(`throttled-${firstDelay}`));
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        await release();
      }
    });

    it("audits a block on an unknown email once too, naming the email", async () => {
      const email = `guessed-${randomBytes(4).toString("hex")}@example.com`;
      for (let i = 0; i < freeFailures; i++) expect(await form(email, `guess-${i}`, "198.51.100.9")).toBeNull();
      const before = await tableCounts();
      for (let i = 0; i < 6; i++) expect(await form(email, `guess-more-${i}`, "198.51.100.9")).toMatch(/^throttled-/);
      expect(await tableCounts()).toEqual(before);
      const rows = await signInRows(email);
      expect(rows.map((row) => row.action)).toEqual([
        ...Array(freeFailures).fill("auth.sign_in_failed"),
        "auth.sign_in_throttled",
      ]);
      expect(rows.at(-1)).toMatchObject({ targetUserId: null, ip: "198.51.100.9", details: { email } });
    });

    it("counts a password change's wrong current passwords too, and audits the block one of them starts, by the user", async () => {
      const user = await person();
      const ip = "203.0.113.70";
      const self = { kind: "user" as const, id: user.id, email: user.email, ip };
      const change = (currentPassword: string) =>
        changePassword(
          db,
          user.id,
          { currentPassword, newPassword: "brand-new-pass", confirmPassword: "brand-new-pass" },
          self,
        );
      const wrong = { ok: false, errors: { currentPassword: ["That is not your current password"] } };
      const blocked = { ok: false, errors: { currentPassword: ["Too many wrong passwords: try again in 30 seconds"] } };

      // Failures from the form and wrong current passwords from the same address share one budget.
      for (let i = 0; i < freeFailures - 3; i++) expect(await form(user.email, `form-${i}`, ip)).toBeNull();
      expect(await change("guess-1")).toEqual(wrong);
      expect(await change("guess-2")).toEqual(wrong);
      expect(await db.signInFailure.count({ where: { email: user.email } })).toBe(freeFailures - 1);
      // The wrong guesses themselves are not audited (only the form's failures are)...
      expect((await signInRows(user.email, user.id)).map((row) => row.action)).toEqual(
        Array(freeFailures - 3).fill("auth.sign_in_failed"),
      );

      // ...but the one that reaches the limit audits the block, by the user and about them.
      expect(await change("guess-3")).toEqual(wrong);
      const rows = await signInRows(user.email, user.id);
      expect(rows.map((row) => row.action)).toEqual([
        ...Array(freeFailures - 3).fill("auth.sign_in_failed"),
        "auth.sign_in_throttled",
      ]);
      expect(rows.at(-1)).toEqual(
        expect.objectContaining({
          actorId: user.id,
          actorEmail: user.email,
          targetUserId: user.id,
          ip,
          applicationId: null,
          details: {
            email: user.email,
            blocked: "account from this address",
            retryAfterSeconds: firstDelay,
            via: "password change",
          },
        }),
      );
      const shown = (await listAuditEvents(db, { user: user.email, action: "auth.sign_in_throttled" })).items;
      expect(shown).toHaveLength(1);
      expect(shown[0]).toMatchObject({ actor: { kind: "user", id: user.id, label: user.email } });

      // Waiting everywhere from that address now, and refusals on either path write nothing.
      const before = await tableCounts();
      expect(await change(user.password)).toEqual(blocked);
      expect(await change("guess-4")).toEqual(blocked);
      expect(await form(user.email, user.password, ip)).toMatch(/^throttled-/);
      expect(await tableCounts()).toEqual(before);
    });

    it("a password change's guesses can start a block that the sign-in form from that address then refuses, audited once", async () => {
      const user = await person();
      const self = { kind: "user" as const, id: user.id, email: user.email, ip: "203.0.113.80" };
      for (let i = 0; i < freeFailures; i++) {
        expect(
          await changePassword(
            db,
            user.id,
            { currentPassword: `guess-${i}`, newPassword: "brand-new-pass", confirmPassword: "brand-new-pass" },
            self,
          ),
        ).toMatchObject({ ok: false, errors: { currentPassword: ["That is not your current password"] } });
      }
      expect(await form(user.email, user.password, "203.0.113.80")).toMatch(/^throttled-/);
      const rows = await signInRows(user.email, user.id);
      expect(rows.map((row) => [row.action, row.actorId, row.ip])).toEqual([
        ["auth.sign_in_throttled", user.id, "203.0.113.80"],
      ]);
      // From another address the user signs in.
      expect(await form(user.email, user.password, "203.0.113.81")).toMatchObject({ id: user.id });
    });
  });

  describe("the password grant", () => {
    let ctx: ProtocolContext;
    let client: { id: string; clientId: string; clientSecret: string; name: string };

    beforeAll(async () => {
      ctx = testProtocol(db);
      const created = await createApplication(
        db,
        {
          name: "Legacy kiosk",
          clientType: "confidential",
          grantTypes: ["password", "client_credentials"],
          allowedScopes: ["read"],
        },
        systemActor,
      );
      if (!created.ok) throw new Error(JSON.stringify(created.errors));
      client = {
        id: created.application.id,
        clientId: created.application.clientId,
        clientSecret: created.clientSecret!,
        name: "Legacy kiosk",
      };
    });

    let lastError: OAuthError | undefined;
    async function grant(params: Record<string, string>, ip: string | null): Promise<string | null> {
      try {
        await handleTokenRequest(
          ctx,
          parseParams(
            new URLSearchParams({ ...params, client_id: client.clientId, client_secret: client.clientSecret }),
          ),
          null,
          { ip },
        );
        return null;
      } catch (error) {
        if (error instanceof OAuthError) {
          lastError = error;
          return error.code;
        }
        throw error;
      }
    }

    const viaClient = () => ({ via: "password grant", name: client.name, clientId: client.clientId });

    it("records a success as a sign-in through the client, and a failure like a failed sign-in naming it", async () => {
      const user = await person();
      expect(
        await grant(
          { grant_type: "password", username: user.email, password: "wrong-password", scope: "read" },
          "203.0.113.80",
        ),
      ).toBe("invalid_grant");
      expect(
        await grant(
          { grant_type: "password", username: user.email, password: user.password, scope: "read" },
          "203.0.113.81",
        ),
      ).toBeNull();
      const rows = await signInRows(user.email, user.id);
      expect(rows).toEqual([
        expect.objectContaining({
          action: "auth.sign_in_failed",
          actorEmail: "anonymous",
          targetUserId: user.id,
          applicationId: client.id,
          ip: "203.0.113.80",
          details: { email: user.email, ...viaClient() },
        }),
        expect.objectContaining({
          action: "auth.signed_in",
          actorId: user.id,
          targetUserId: user.id,
          applicationId: client.id,
          ip: "203.0.113.81",
          details: viaClient(),
        }),
      ]);
      expect(JSON.stringify(rows)).not.toContain(user.password);
      expect(JSON.stringify(rows)).not.toContain(client.clientSecret);

      // The application's history shows them, with the client named.
      const history = (await listAuditEvents(db, { applicationId: client.id, user: user.id })).items;
      expect(history.map((entry) => entry.action)).toEqual(["auth.signed_in", "auth.sign_in_failed"]);
      expect(history[0]!.details).toEqual([
        { kind: "value", label: "Via", value: "password grant" },
        { kind: "value", label: "Client ID", value: client.clientId },
      ]);
    });

    it("shares the throttle with the form, and audits its block once, naming the client", async () => {
      const { freeFailures, firstDelay } = settings().signInThrottle;
      const user = await person();
      for (let i = 0; i < freeFailures; i++) {
        expect(await grant({ grant_type: "password", username: user.email, password: `nope-${i}` }, "192.0.2.90")).toBe(
          "invalid_grant",
        );
      }
      for (let i = 0; i < 4; i++) {
        expect(
          await grant({ grant_type: "password", username: user.email, password: user.password }, "192.0.2.90"),
        ).toBe("invalid_grant");
      }
      // The refusal says so, with a Retry-After.
      expect(lastError?.description).toMatch(/^Too many failed sign-ins for this username from this address/);
      expect(Number(lastError?.headers["Retry-After"])).toBeGreaterThan(firstDelay - 5);
      await expect(signInWithForm(db, { email: user.email, password: user.password }, "192.0.2.90")).rejects.toThrow(
        /^throttled-/,
      );
      const rows = await signInRows(user.email, user.id);
      expect(rows.map((row) => row.action)).toEqual([
        ...Array(freeFailures).fill("auth.sign_in_failed"),
        "auth.sign_in_throttled",
      ]);
      expect(rows.at(-1)).toMatchObject({
        applicationId: client.id,
        ip: "192.0.2.90",
        details: { email: user.email, ...viaClient() },
      });
      // The same account through the grant from another address is not held up.
      expect(
        await grant({ grant_type: "password", username: user.email, password: user.password }, "192.0.2.91"),
      ).toBeNull();
    });

    it("writes nothing to the audit log for a client credentials grant", async () => {
      const before = await db.auditEvent.count();
      expect(await grant({ grant_type: "client_credentials", scope: "read" }, "192.0.2.99")).toBeNull();
      expect(await db.auditEvent.count()).toBe(before);
    });
  });
});
