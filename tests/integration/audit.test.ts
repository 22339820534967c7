/**
 * The audit trail against real SQLite and PostgreSQL databases: what lib/applications/commands.ts
 * records for each admin change, that no secret reaches it, and how lib/audit/queries.ts filters,
 * pages and renders it.
 */
import { createHash, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createApplication,
  deleteApplication,
  rotateClientSecret,
  setApplicationTrusted,
  updateApplication,
} from "@/lib/applications/commands";
import { settingsOf } from "@/lib/applications/fields";
import { findApplication } from "@/lib/applications/queries";
import { auditEntriesFor } from "@/lib/audit/export";
import {
  auditQueryFrom,
  auditSearch,
  decodeCursor,
  detailLines,
  listAuditEvents,
  type AuditEntry,
  type AuditQuery,
} from "@/lib/audit/queries";
import { cliActor, type Actor } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

describe.each(providers)("audit log on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
  });
  afterAll(async () => {
    await t?.drop();
  });

  describe("admin changes through lib/applications/commands.ts", () => {
    const admin: Actor = { kind: "user", id: "audit-admin-id", email: "auditor@example.com", ip: "198.51.100.23" };
    let appId: string;
    const secrets: string[] = [];
    const entriesFor = async (id: string) => (await listAuditEvents(db, { applicationId: id, pageSize: 100 })).items;

    beforeAll(async () => {
      await db.user.create({
        data: { id: "audit-admin-id", email: "auditor@example.com", passwordHash: "x", role: "ADMIN" },
      });
      const created = await createApplication(
        db,
        {
          name: "Ledger",
          clientType: "confidential",
          grantTypes: ["authorization_code", "refresh_token"],
          redirectUris: "https://ledger.example.com/cb",
          allowedScopes: "openid email",
        },
        admin,
      );
      if (!created.ok) throw new Error(JSON.stringify(created.errors));
      appId = created.application.id;
      secrets.push(created.clientSecret!);

      const before = (await findApplication(db, appId))!;
      const updated = await updateApplication(
        db,
        appId,
        {
          ...settingsOf(before),
          name: "Ledger v2",
          redirectUris: ["https://ledger.example.com/v2/cb"],
          accessTokenLifetime: 900,
        },
        admin,
      );
      if (!updated.ok) throw new Error(JSON.stringify(updated.errors));
      // Saving with nothing changed records nothing.
      const same = await updateApplication(db, appId, settingsOf(updated.application), admin);
      expect(same.ok).toBe(true);

      await setApplicationTrusted(db, appId, true, admin);
      await setApplicationTrusted(db, appId, true, admin); // no change, no entry
      secrets.push((await rotateClientSecret(db, appId, admin)).clientSecret);
      secrets.push((await rotateClientSecret(db, appId, admin)).clientSecret);
      await deleteApplication(db, appId, admin);
    });

    it("records exactly one entry per change, newest first, with who, when and from where", async () => {
      const entries = await entriesFor(appId);
      expect(entries.map((entry) => entry.action)).toEqual([
        "application.deleted",
        "application.secret_rotated",
        "application.secret_rotated",
        "application.trust_changed",
        "application.updated",
        "application.created",
      ]);
      for (const entry of entries) {
        expect(entry.actor).toEqual({ kind: "user", id: "audit-admin-id", label: "auditor@example.com" });
        expect(entry.ip).toBe("198.51.100.23");
        expect(entry.createdAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
      }
      const rows = await db.auditEvent.findMany({ where: { applicationId: appId } });
      expect(rows).toHaveLength(6);
    });

    it("stores field-level before and after for an update, and renders it readably", async () => {
      const row = await db.auditEvent.findFirstOrThrow({
        where: { applicationId: appId, action: "application.updated" },
      });
      const details = JSON.parse(row.details) as { changes: Record<string, { from: unknown; to: unknown }> };
      expect(details.changes).toEqual({
        name: { from: "Ledger", to: "Ledger v2" },
        redirectUris: { from: ["https://ledger.example.com/cb"], to: ["https://ledger.example.com/v2/cb"] },
        accessTokenLifetime: { from: null, to: 900 },
      });
      const entry = (await entriesFor(appId)).find((item) => item.action === "application.updated")!;
      expect(entry.actionLabel).toBe("Application updated");
      expect(entry.details).toEqual([
        { kind: "change", label: "Name", from: "Ledger", to: "Ledger v2" },
        {
          kind: "change",
          label: "Redirect URIs",
          from: "https://ledger.example.com/cb",
          to: "https://ledger.example.com/v2/cb",
        },
        { kind: "change", label: "Access token lifetime", from: "(not set)", to: "900" },
      ]);
      const trust = (await entriesFor(appId)).find((item) => item.action === "application.trust_changed")!;
      expect(trust.details).toEqual([{ kind: "change", label: "Trusted (skip consent)", from: "no", to: "yes" }]);
    });

    it("shows a rotation as the change of the secret's last four characters only", async () => {
      const rotations = (await entriesFor(appId))
        .filter((item) => item.action === "application.secret_rotated")
        .reverse();
      expect(rotations.map((entry) => entry.details)).toEqual([
        [
          {
            kind: "change",
            label: "Client secret",
            from: `…${secrets[0]!.slice(-4)}`,
            to: `…${secrets[1]!.slice(-4)}`,
          },
        ],
        [
          {
            kind: "change",
            label: "Client secret",
            from: `…${secrets[1]!.slice(-4)}`,
            to: `…${secrets[2]!.slice(-4)}`,
          },
        ],
      ]);
    });

    it("names a deleted application by the name its entries recorded", async () => {
      const entries = await entriesFor(appId);
      expect(entries.map((entry) => entry.application)).toEqual(
        entries.map(() => ({ id: appId, label: expect.stringMatching(/^Ledger/), exists: false })),
      );
      expect(entries[0]!.application!.label).toBe("Ledger v2");
      expect(entries[0]!.details).toEqual([{ kind: "value", label: "Client ID", value: expect.any(String) }]);
    });

    it("never stores a client secret or its hash, and never shows one", async () => {
      // A public client turned confidential is issued a secret by the update itself.
      const created = await createApplication(
        db,
        {
          name: "Kiosk",
          clientType: "public",
          grantTypes: ["authorization_code"],
          redirectUris: "https://kiosk.example.com/cb",
        },
        admin,
      );
      if (!created.ok) throw new Error(JSON.stringify(created.errors));
      const updated = await updateApplication(
        db,
        created.application.id,
        { ...settingsOf(created.application), clientType: "confidential" },
        admin,
      );
      if (!updated.ok) throw new Error(JSON.stringify(updated.errors));
      expect(updated.clientSecret).toBeDefined();
      secrets.push(updated.clientSecret!);
      const storedHash = (await db.application.findUniqueOrThrow({ where: { id: created.application.id } }))
        .clientSecretHash!;
      expect(storedHash).toBe(updated.clientSecret!.slice(4, 12) + sha256(updated.clientSecret!));

      const rows = await db.auditEvent.findMany();
      const stored = rows.map((row) => JSON.stringify(row)).join("\n");
      const shown = JSON.stringify((await listAuditEvents(db, { pageSize: 100 })).items);
      expect(secrets).toHaveLength(4);
      for (const secret of secrets) {
        for (const text of [stored, shown]) {
          expect(text).not.toContain(secret);
          expect(text).not.toContain(secret.slice(4));
          expect(text).not.toContain(sha256(secret));
        }
      }
      const issued = (await listAuditEvents(db, { applicationId: created.application.id })).items[0]!;
      expect(issued.details).toContainEqual({
        kind: "note",
        text: "A new client secret was issued (shown once, never recorded).",
      });
      expect(issued.details).toContainEqual({
        kind: "change",
        label: "Client type",
        from: "public",
        to: "confidential",
      });
    });
  });

  describe("concurrent changes to one application", () => {
    const admin: Actor = { kind: "user", id: "audit-admin-id", email: "auditor@example.com", ip: "198.51.100.23" };
    const rounds = 8;

    /** The application's entries of one action, in the order the log shows them (oldest first here). */
    async function chain(applicationId: string, action: string) {
      const rows = await db.auditEvent.findMany({
        where: { applicationId, action },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
      return rows.map((row) => JSON.parse(row.details) as Record<string, unknown>);
    }

    async function created(name: string, clientType = "confidential") {
      const result = await createApplication(
        db,
        { name, clientType, grantTypes: ["authorization_code"], redirectUris: "https://race.example.com/cb" },
        admin,
      );
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      return result.application;
    }

    it("records edits saved at the same moment one after another: each entry's before is the previous one's after", async () => {
      const app = await created("Raced 0");
      const results = await Promise.all(
        Array.from({ length: rounds }, (_, i) =>
          updateApplication(
            db,
            app.id,
            { ...settingsOf(app), name: `Raced ${i + 1}`, accessTokenLifetime: 600 + i },
            admin,
          ),
        ),
      );
      expect(results.every((result) => result.ok)).toBe(true);
      const changes = (await chain(app.id, "application.updated")).map(
        (details) => details.changes as Record<string, { from: unknown; to: unknown }>,
      );
      expect(changes).toHaveLength(rounds);
      expect(changes[0]!.name!.from).toBe("Raced 0");
      expect(changes[0]!.accessTokenLifetime!.from).toBeNull();
      for (let i = 1; i < changes.length; i++) {
        expect(changes[i]!.name!.from).toBe(changes[i - 1]!.name!.to);
        expect(changes[i]!.accessTokenLifetime!.from).toBe(changes[i - 1]!.accessTokenLifetime!.to);
      }
      const final = (await findApplication(db, app.id))!;
      expect(changes.at(-1)!.name!.to).toBe(final.name);
      expect(changes.at(-1)!.accessTokenLifetime!.to).toBe(final.accessTokenLifetime);
    });

    it("records trust toggled both ways at once as a chain of real changes", async () => {
      const app = await created("Trust raced");
      await Promise.all(
        Array.from({ length: rounds }, (_, i) => setApplicationTrusted(db, app.id, i % 2 === 0, admin)),
      );
      const changes = (await chain(app.id, "application.trust_changed")).map(
        (details) => (details.changes as { skipAuthorization: { from: boolean; to: boolean } }).skipAuthorization,
      );
      expect(changes.length).toBeGreaterThan(0);
      expect(changes[0]!.from).toBe(false);
      for (let i = 0; i < changes.length; i++) {
        expect(changes[i]!.to).toBe(!changes[i]!.from);
        if (i > 0) expect(changes[i]!.from).toBe(changes[i - 1]!.to);
      }
      expect(changes.at(-1)!.to).toBe((await findApplication(db, app.id))!.skipAuthorization);
    });

    it("records secrets rotated at once as a chain of hints, ending at the secret that works", async () => {
      const app = await created("Rotation raced");
      const rotated = await Promise.all(Array.from({ length: rounds }, () => rotateClientSecret(db, app.id, admin)));
      const hints = await chain(app.id, "application.secret_rotated");
      expect(hints).toHaveLength(rounds);
      expect(hints[0]!.previousHint).toBe(app.clientSecretHint);
      for (let i = 1; i < hints.length; i++) expect(hints[i]!.previousHint).toBe(hints[i - 1]!.newHint);
      const final = (await findApplication(db, app.id))!;
      expect(hints.at(-1)!.newHint).toBe(final.clientSecretHint);
      expect(rotated.map((result) => result.clientSecret.slice(-4))).toContain(final.clientSecretHint);
    });
  });

  describe("filters and pages", () => {
    const base = Date.UTC(2030, 0, 1);
    let ids: { alice: string; bob: string; ghost: string; app1: string; app2: string; gone: string };
    /** Every seeded entry, newest first, as the log orders them. */
    let all: {
      id: string;
      createdAt: Date;
      actorId: string | null;
      actorEmail: string | null;
      action: string;
      applicationId: string | null;
    }[];

    beforeAll(async () => {
      const alice = await db.user.create({ data: { email: "alice.filter@example.com", passwordHash: "x" } });
      const bob = await db.user.create({ data: { email: "bob.filter@example.org", passwordHash: "x" } });
      const app1 = await createApplication(
        db,
        {
          name: "Filter Alpha",
          clientType: "public",
          grantTypes: ["authorization_code"],
          redirectUris: "https://alpha.example.com/cb",
        },
        cliActor,
      );
      const app2 = await createApplication(
        db,
        {
          name: "Filter Beta",
          clientType: "public",
          grantTypes: ["authorization_code"],
          redirectUris: "https://beta.example.com/cb",
        },
        cliActor,
      );
      if (!app1.ok || !app2.ok) throw new Error("create failed");
      ids = {
        alice: alice.id,
        bob: bob.id,
        ghost: randomUUID(),
        app1: app1.application.id,
        app2: app2.application.id,
        gone: randomUUID(),
      };
      const actors = [
        { actorId: ids.alice, actorEmail: "alice.filter@example.com" },
        { actorId: ids.bob, actorEmail: "bob.filter@example.org" },
        // A user deleted since: the id no longer resolves, the recorded email still matches.
        { actorId: ids.ghost, actorEmail: "ghost.filter@example.net" },
        { actorId: null, actorEmail: "cli" },
        { actorId: null, actorEmail: "system" },
      ];
      const apps = [ids.app1, ids.app2, ids.gone, null];
      const actions = ["application.updated", "application.trust_changed", "auth.signed_in"];
      const data = Array.from({ length: 90 }, (_, i) => ({
        // Nine entries share each timestamp (three of each action), so the id has to break ties.
        createdAt: new Date(base + Math.floor(i / 9) * 1000),
        ...actors[i % actors.length]!,
        action: actions[i % actions.length]!,
        applicationId: apps[i % apps.length]!,
        details: JSON.stringify({ name: "Recorded name", n: i }),
      }));
      await db.auditEvent.createMany({ data });
      all = (
        await db.auditEvent.findMany({
          where: { createdAt: { gte: new Date(base) } },
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        })
      ).map(({ id, createdAt, actorId, actorEmail, action, applicationId }) => ({
        id,
        createdAt,
        actorId,
        actorEmail,
        action,
        applicationId,
      }));
      expect(all).toHaveLength(90);
    });

    /** Only the seeded entries (dated 2030), whatever else the log holds. */
    const seeded = (entries: AuditEntry[]) => entries.filter((entry) => entry.createdAt.getTime() >= base);

    async function walk(query: AuditQuery, pageSize: number): Promise<{ pages: string[][] }> {
      const pages: string[][] = [];
      let page = await listAuditEvents(db, { ...query, pageSize });
      pages.push(page.items.map((item) => item.id));
      expect(page.newer).toBeNull();
      for (let guard = 0; page.older && guard < 100; guard++) {
        page = await listAuditEvents(db, { ...query, pageSize, before: decodeCursor(page.older) });
        pages.push(page.items.map((item) => item.id));
      }
      return { pages };
    }

    it("pages newest first through every entry exactly once, across timestamp ties", async () => {
      const { pages } = await walk({ action: "auth.signed_in" }, 7);
      const expected = all.filter((row) => row.action === "auth.signed_in").map((row) => row.id);
      expect(expected).toHaveLength(30);
      expect(pages.flat()).toEqual(expected);
      expect(pages.map((page) => page.length)).toEqual([7, 7, 7, 7, 2]);
    });

    it("goes back to newer pages with the same boundaries, and to a full first page at the top", async () => {
      const query = { action: "application.updated" };
      const expected = all.filter((row) => row.action === "application.updated").map((row) => row.id);
      const first = await listAuditEvents(db, { ...query, pageSize: 4 });
      const second = await listAuditEvents(db, { ...query, pageSize: 4, before: decodeCursor(first.older!) });
      const third = await listAuditEvents(db, { ...query, pageSize: 4, before: decodeCursor(second.older!) });
      expect(third.items.map((item) => item.id)).toEqual(expected.slice(8, 12));
      expect(third.newer).not.toBeNull();
      const backToSecond = await listAuditEvents(db, { ...query, pageSize: 4, after: decodeCursor(third.newer!) });
      expect(backToSecond.items.map((item) => item.id)).toEqual(expected.slice(4, 8));
      expect(backToSecond.older).toBe(second.older);
      const backToFirst = await listAuditEvents(db, {
        ...query,
        pageSize: 4,
        after: decodeCursor(backToSecond.newer!),
      });
      expect(backToFirst.items.map((item) => item.id)).toEqual(expected.slice(0, 4));
      expect(backToFirst.newer).toBeNull();
    });

    it("filters by an actor's email, part of it, cli, system, and a deleted user's recorded email", async () => {
      const idsWhere = (keep: (row: (typeof all)[number]) => boolean) => all.filter(keep).map((row) => row.id);
      const filtered = async (actor: string) =>
        seeded((await listAuditEvents(db, { actor, pageSize: 100 })).items).map((item) => item.id);
      expect(await filtered("alice.filter@example.com")).toEqual(idsWhere((row) => row.actorId === ids.alice));
      expect(await filtered("ALICE.FILTER")).toEqual(idsWhere((row) => row.actorId === ids.alice));
      expect(await filtered("filter@example.org")).toEqual(idsWhere((row) => row.actorId === ids.bob));
      expect(await filtered(".filter@example.")).toEqual(
        idsWhere((row) => row.actorId === ids.alice || row.actorId === ids.bob),
      );
      expect(await filtered("cli")).toEqual(idsWhere((row) => row.actorEmail === "cli"));
      expect(await filtered("system")).toEqual(idsWhere((row) => row.actorEmail === "system"));
      expect(await filtered("ghost.filter")).toEqual(idsWhere((row) => row.actorId === ids.ghost));
      expect(await filtered("nobody-at-all")).toEqual([]);
    });

    it("filters by application name, client ID, ID (also of a deleted application) and fixed application", async () => {
      const idsOf = (applicationId: string) =>
        all.filter((row) => row.applicationId === applicationId).map((row) => row.id);
      const filtered = async (query: AuditQuery) =>
        seeded((await listAuditEvents(db, { ...query, pageSize: 100 })).items).map((item) => item.id);
      const clientId = (await findApplication(db, ids.app2))!.clientId;
      expect(await filtered({ application: "filter alpha" })).toEqual(idsOf(ids.app1));
      expect(await filtered({ application: clientId })).toEqual(idsOf(ids.app2));
      expect(await filtered({ application: ids.gone })).toEqual(idsOf(ids.gone));
      expect(await filtered({ application: "Filter" })).toEqual(
        all.filter((row) => row.applicationId === ids.app1 || row.applicationId === ids.app2).map((row) => row.id),
      );
      expect(await filtered({ applicationId: ids.app1 })).toEqual(idsOf(ids.app1));
      // Filters combine.
      expect(await filtered({ applicationId: ids.app1, actor: "alice.filter", action: "application.updated" })).toEqual(
        all
          .filter(
            (row) =>
              row.applicationId === ids.app1 && row.actorId === ids.alice && row.action === "application.updated",
          )
          .map((row) => row.id),
      );
    });

    it("labels applications by their current name, else the recorded one", async () => {
      const entries = seeded((await listAuditEvents(db, { pageSize: 100 })).items);
      const live = entries.find((entry) => entry.application?.id === ids.app1)!;
      expect(live.application).toEqual({ id: ids.app1, label: "Filter Alpha", exists: true });
      const gone = entries.find((entry) => entry.application?.id === ids.gone)!;
      expect(gone.application).toEqual({ id: ids.gone, label: "Recorded name", exists: false });
      expect(entries.find((entry) => entry.actor.label === "cli")!.actor.kind).toBe("cli");
    });
  });

  describe("date range", () => {
    const action = "test.date_range";
    beforeAll(async () => {
      // Around the day boundaries of 2025-03-10 .. 2025-03-11 (UTC).
      const times = [
        "2025-03-09T23:59:59.999Z",
        "2025-03-10T00:00:00.000Z",
        "2025-03-10T12:00:00.000Z",
        "2025-03-11T23:59:59.999Z",
        "2025-03-12T00:00:00.000Z",
      ];
      await db.auditEvent.createMany({
        data: times.map((time) => ({ action, createdAt: new Date(time), details: JSON.stringify({ at: time }) })),
      });
    });
    const timesOf = async (query: AuditQuery) =>
      (await auditEntriesFor(db, { ...query, action })).map((entry) => entry.createdAt.toISOString()).sort();

    it("keeps entries from the start of the first UTC day to the end of the last, both inclusive", async () => {
      expect(await timesOf(auditQueryFrom({ from: "2025-03-10", to: "2025-03-11" }))).toEqual([
        "2025-03-10T00:00:00.000Z",
        "2025-03-10T12:00:00.000Z",
        "2025-03-11T23:59:59.999Z",
      ]);
      expect(await timesOf(auditQueryFrom({ from: "2025-03-11" }))).toEqual([
        "2025-03-11T23:59:59.999Z",
        "2025-03-12T00:00:00.000Z",
      ]);
      expect(await timesOf(auditQueryFrom({ to: "2025-03-09" }))).toEqual(["2025-03-09T23:59:59.999Z"]);
      expect(await timesOf(auditQueryFrom({ from: "2025-03-10", to: "2025-03-10" }))).toHaveLength(2);
    });

    it("pages within the range", async () => {
      const query = auditQueryFrom({ from: "2025-03-10", to: "2025-03-11", action });
      const first = await listAuditEvents(db, { ...query, pageSize: 2 });
      expect(first.items).toHaveLength(2);
      const second = await listAuditEvents(db, { ...query, pageSize: 2, before: decodeCursor(first.older!) });
      expect(second.items.map((entry) => entry.createdAt.toISOString())).toEqual(["2025-03-10T00:00:00.000Z"]);
      expect(second.older).toBeNull();
    });

    it("refuses malformed days and a range that ends before it starts, listing nothing", async () => {
      expect(auditQueryFrom({ from: "2025-02-30" }).dateErrors).toEqual({
        from: "Enter the start as a date (YYYY-MM-DD).",
      });
      expect(auditQueryFrom({ to: "yesterday" }).dateErrors).toEqual({ to: "Enter the end as a date (YYYY-MM-DD)." });
      const backwards = auditQueryFrom({ from: "2025-03-11", to: "2025-03-10", action });
      expect(backwards.dateErrors).toEqual({ to: "The end date is before the start date." });
      expect((await listAuditEvents(db, backwards)).items).toEqual([]);
      // The search keeps the range, so the page's links and the export select the same entries.
      expect(auditSearch(auditQueryFrom({ from: "2025-03-10", to: "2025-03-11" }))).toBe(
        "?from=2025-03-10&to=2025-03-11",
      );
    });
  });

  describe("append-only, enforced by the database", () => {
    let row: Awaited<ReturnType<Db["auditEvent"]["create"]>>;

    beforeAll(async () => {
      row = await db.auditEvent.create({
        data: {
          actorEmail: "cli",
          action: "application.deleted",
          applicationId: "append-only-app",
          details: JSON.stringify({ name: "Kept" }),
        },
      });
    });

    /** The database's own words for a refused statement (Prisma files a trigger's refusal under another name). */
    async function refusal(statement: Promise<unknown>): Promise<string> {
      try {
        await statement;
      } catch (error) {
        const cause = (error as { meta?: { driverAdapterError?: { cause?: { originalMessage?: string } } } }).meta
          ?.driverAdapterError?.cause;
        return cause?.originalMessage ?? String(error);
      }
      return "not refused";
    }

    const intact = async () => expect(await db.auditEvent.findUnique({ where: { id: row.id } })).toEqual(row);

    it("refuses to change an entry, through Prisma or plain SQL, and leaves it as it was", async () => {
      expect(await refusal(db.auditEvent.update({ where: { id: row.id }, data: { action: "tampered" } }))).toMatch(
        /AuditEvent is append-only/,
      );
      expect(await refusal(db.auditEvent.updateMany({ data: { details: "{}" } }))).toMatch(/append-only/);
      expect(
        await refusal(
          db.$executeRawUnsafe(`UPDATE "AuditEvent" SET "actorEmail" = 'someone-else' WHERE "id" = '${row.id}'`),
        ),
      ).toMatch(/append-only/);
      await intact();
    });

    it("refuses to delete an entry, one or all of them, and leaves every entry in place", async () => {
      const total = await db.auditEvent.count();
      expect(await refusal(db.auditEvent.delete({ where: { id: row.id } }))).toMatch(/append-only/);
      expect(await refusal(db.auditEvent.deleteMany({ where: { applicationId: "append-only-app" } }))).toMatch(
        /append-only/,
      );
      expect(await refusal(db.auditEvent.deleteMany())).toMatch(/append-only/);
      expect(await refusal(db.$executeRawUnsafe(`DELETE FROM "AuditEvent"`))).toMatch(/append-only/);
      if (provider === "postgresql") {
        expect(await refusal(db.$executeRawUnsafe(`TRUNCATE "AuditEvent"`))).toMatch(/append-only/);
      }
      await intact();
      expect(await db.auditEvent.count()).toBe(total);
    });

    it("still takes new entries, inside a transaction with the change they describe", async () => {
      const before = await db.auditEvent.count();
      await db.$transaction(async (tx) => {
        await tx.auditEvent.create({ data: { actorEmail: "cli", action: "application.created" } });
      });
      expect(await db.auditEvent.count()).toBe(before + 1);
    });
  });

  it("redacts anything that looks like a credential, by key or by value", () => {
    const lines = detailLines({
      clientSecret: "anything",
      passwordHash: "$argon2id$v=19$...",
      note: `pcs_${"A".repeat(51)}`,
      digest: "a".repeat(64),
      lookupKey: `mihx0000${"a".repeat(64)}`,
      changes: { clientSecretHash: { from: "x", to: "y" }, name: { from: "a", to: "b" } },
      nested: { token: "pca_abc", count: 3 },
      accessTokens: 2,
    });
    expect(lines).toEqual([
      { kind: "value", label: "Client secret", value: "[redacted]" },
      { kind: "value", label: "Password hash", value: "[redacted]" },
      { kind: "value", label: "Note", value: "[redacted]" },
      { kind: "value", label: "Digest", value: "[redacted]" },
      { kind: "value", label: "Lookup key", value: "[redacted]" },
      { kind: "change", label: "Client secret hash", from: "[redacted]", to: "[redacted]" },
      { kind: "change", label: "Name", from: "a", to: "b" },
      { kind: "value", label: "Nested: token", value: "[redacted]" },
      { kind: "value", label: "Nested: count", value: "3" },
      { kind: "value", label: "Access tokens", value: "2" },
    ]);
  });
});
