/**
 * lib/applications/commands.ts and queries.ts against real, migrated SQLite and PostgreSQL
 * databases: what each command stores, what it audits, and what the list query returns.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApplicationNotFoundError,
  createApplication,
  deleteApplication,
  rotateClientSecret,
  setApplicationTrusted,
  updateApplication,
} from "@/lib/applications/commands";
import {
  applicationSorts,
  findApplication,
  findApplicationByClientId,
  listApplications,
  type ApplicationSort,
} from "@/lib/applications/queries";
import type { Actor } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { credentialMatches } from "@/lib/oauth/secrets";
import { formatTotal, hasNextPage } from "@/lib/pagination";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

const admin: Actor = { kind: "user", id: "admin-user-id", email: "admin@example.com", ip: "203.0.113.7" };
const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

function webApp(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "Billing portal",
    clientType: "confidential",
    grantTypes: ["authorization_code", "refresh_token"],
    redirectUris: ["https://billing.example.com/callback", "https://billing.example.com/alt"],
    postLogoutRedirectUris: ["https://billing.example.com/bye"],
    allowedOrigins: ["https://billing.example.com"],
    allowedScopes: ["email", "openid"],
    ...overrides,
  };
}

async function create(db: Db, raw: Record<string, unknown>, actor: Actor = admin) {
  const result = await createApplication(db, raw, actor);
  if (!result.ok) throw new Error(`create failed: ${JSON.stringify(result.errors)}`);
  return result;
}

async function counts(db: Db) {
  return {
    applications: await db.application.count(),
    grantTypes: await db.applicationGrantType.count(),
    uris: await db.applicationUri.count(),
    scopes: await db.applicationScope.count(),
    audit: await db.auditEvent.count(),
  };
}

async function secretColumns(db: Db, id: string) {
  return db.application.findUniqueOrThrow({
    where: { id },
    select: { clientSecretHash: true, clientSecretHint: true, clientSecretIssuedAt: true },
  });
}

async function auditFor(db: Db, applicationId: string, action?: string) {
  const rows = await db.auditEvent.findMany({
    where: { applicationId, ...(action ? { action } : {}) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return rows.map((row) => ({ ...row, parsed: JSON.parse(row.details) as Record<string, unknown> }));
}

/** Every audit row, as text, holds none of the given secrets, their hashes or their random parts. */
async function expectNoSecretsInAudit(db: Db, secrets: string[]) {
  const rows = await db.auditEvent.findMany();
  expect(rows.length).toBeGreaterThan(0);
  const text = rows.map((row) => JSON.stringify(row)).join("\n");
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(4));
    expect(text).not.toContain(sha256(secret));
  }
}

describe.each(providers)("application commands on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  /** Every secret issued in this database, checked against the whole audit log at the end. */
  const issued: string[] = [];

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
  });
  afterAll(async () => {
    await t?.drop();
  });

  describe("createApplication", () => {
    it("gives a confidential client a pcs_ secret once and stores only its key (issue time, SHA-256) and last four characters", async () => {
      const before = Date.now();
      const { application, clientSecret } = await create(db, webApp());
      expect(clientSecret).toMatch(/^pcs_[0-9a-z]{8}[A-Za-z0-9_-]{43}$/);
      issued.push(clientSecret!);

      const stored = await secretColumns(db, application.id);
      expect(stored.clientSecretHash).toBe(clientSecret!.slice(4, 12) + sha256(clientSecret!));
      expect(credentialMatches(clientSecret!, stored.clientSecretHash)).toBe(true);
      expect(stored.clientSecretHint).toBe(clientSecret!.slice(-4));
      expect(application.clientSecretHint).toBe(clientSecret!.slice(-4));
      expect(stored.clientSecretIssuedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);

      // The secret is nowhere in the row: not as text, not in any column.
      const row = await db.application.findUniqueOrThrow({ where: { id: application.id } });
      expect(Object.values(row).map(String)).not.toContain(clientSecret);
      // The returned application carries neither the secret nor its hash.
      expect(JSON.stringify(application)).not.toContain(clientSecret!.slice(4));
      expect(JSON.stringify(application)).not.toContain(stored.clientSecretHash!);
      expect(application).not.toHaveProperty("clientSecretHash");
    });

    it("stores every field and list, keeping the order of the URIs", async () => {
      const { application, clientSecret } = await create(
        db,
        webApp({
          name: "Ordered",
          redirectUris: ["https://z.example.com/cb", "https://a.example.com/cb", "https://m.example.com/cb"],
          allowedOrigins: ["https://z.example.com", "https://a.example.com"],
          allowedScopes: "openid profile email",
          skipAuthorization: "on",
          algorithm: "RS256",
          pkceRequired: "false",
          homepageUri: "https://ordered.example.com",
          accessTokenLifetime: "900",
        }),
      );
      issued.push(clientSecret!);
      const found = await findApplication(db, application.id);
      expect(found).toEqual(application);
      expect(found).toMatchObject({
        name: "Ordered",
        clientType: "confidential",
        grantTypes: ["authorization_code", "refresh_token"],
        redirectUris: ["https://z.example.com/cb", "https://a.example.com/cb", "https://m.example.com/cb"],
        postLogoutRedirectUris: ["https://billing.example.com/bye"],
        allowedOrigins: ["https://z.example.com", "https://a.example.com"],
        allowedScopes: ["email", "openid", "profile"],
        skipAuthorization: true,
        algorithm: "RS256",
        pkceRequired: false,
        introspectAnyToken: false,
        homepageUri: "https://ordered.example.com",
        logoUri: null,
        accessTokenLifetime: 900,
        refreshTokenLifetime: null,
        owner: null,
      });
      expect(await findApplicationByClientId(db, application.clientId)).toEqual(application);
      expect(await db.applicationUri.count({ where: { applicationId: application.id } })).toBe(6);
    });

    it("gives a public client no secret", async () => {
      const { application, clientSecret } = await create(
        db,
        webApp({ name: "Mobile", clientType: "public", grantTypes: ["authorization_code"] }),
      );
      expect(clientSecret).toBeUndefined();
      expect(application.clientType).toBe("public");
      expect(application.clientSecretHint).toBeNull();
      expect(await secretColumns(db, application.id)).toEqual({
        clientSecretHash: null,
        clientSecretHint: null,
        clientSecretIssuedAt: null,
      });
    });

    it("gives every application its own unguessable client id", async () => {
      const a = await create(db, webApp({ name: "Twin", clientType: "public", grantTypes: ["authorization_code"] }));
      const b = await create(db, webApp({ name: "Twin", clientType: "public", grantTypes: ["authorization_code"] }));
      expect(a.application.clientId).not.toBe(b.application.clientId);
      for (const { clientId } of [a.application, b.application])
        expect(Buffer.from(clientId, "base64url")).toHaveLength(18);
    });

    it("records who created it, with the input and without the secret", async () => {
      const { application, clientSecret } = await create(db, webApp({ name: "Audited" }));
      issued.push(clientSecret!);
      const rows = await auditFor(db, application.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        action: "application.created",
        actorId: "admin-user-id",
        actorEmail: "admin@example.com",
        ip: "203.0.113.7",
      });
      expect(rows[0]!.parsed).toMatchObject({
        name: "Audited",
        clientId: application.clientId,
        fields: { name: "Audited", clientType: "confidential" },
      });
      await expectNoSecretsInAudit(db, [clientSecret!]);
    });

    it("links an owner when given one", async () => {
      const owner = await db.user.create({
        data: { email: `owner-${provider}@example.com`, name: "Olive Owner", passwordHash: "x" },
      });
      const result = await createApplication(
        db,
        webApp({ name: "Owned", clientType: "public", grantTypes: ["authorization_code"] }),
        admin,
        {
          ownerId: owner.id,
        },
      );
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.application.owner).toEqual({ id: owner.id, email: owner.email, name: "Olive Owner" });
      expect((await findApplication(db, result.application.id))?.owner?.id).toBe(owner.id);
    });

    it("returns field errors for invalid input and writes nothing", async () => {
      const before = await counts(db);
      const result = await createApplication(
        db,
        webApp({
          name: "",
          clientType: "public",
          grantTypes: ["client_credentials"],
          redirectUris: ["http://evil.example.com/cb"],
        }),
        admin,
      );
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(Object.keys(result.errors).sort()).toEqual(["grantTypes", "name", "redirectUris"]);
      expect(await counts(db)).toEqual(before);
    });

    it("refuses NUL and other control characters with field errors, never a database error", async () => {
      const before = await counts(db);
      const result = await createApplication(
        db,
        webApp({
          name: "Bill\u0000ing",
          redirectUris: ["https://billing.example.com/c\u0000b"],
          postLogoutRedirectUris: ["https://billing.example.com/\u0007"],
          logoUri: "https://cdn.example.com/\u0000.png",
        }),
        admin,
      );
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(Object.keys(result.errors).sort()).toEqual(["logoUri", "name", "postLogoutRedirectUris", "redirectUris"]);
      expect(await counts(db)).toEqual(before);
    });
  });

  describe("updateApplication", () => {
    it("replaces the lists and audits field-level before/after values for what changed", async () => {
      const { application, clientSecret } = await create(db, webApp({ name: "Before" }));
      issued.push(clientSecret!);
      const result = await updateApplication(
        db,
        application.id,
        webApp({
          name: "After",
          redirectUris: ["https://new.example.com/cb"],
          allowedOrigins: [],
          allowedScopes: ["openid", "profile"],
        }),
        admin,
      );
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.clientSecret).toBeUndefined();
      expect(result.application).toMatchObject({
        name: "After",
        redirectUris: ["https://new.example.com/cb"],
        allowedOrigins: [],
        allowedScopes: ["openid", "profile"],
        postLogoutRedirectUris: ["https://billing.example.com/bye"],
      });
      expect(await findApplication(db, application.id)).toEqual(result.application);

      // The old relation rows are gone, not kept alongside.
      const uris = await db.applicationUri.findMany({ where: { applicationId: application.id } });
      expect(uris.map((u) => `${u.kind} ${u.uri}`).sort()).toEqual(
        ["REDIRECT https://new.example.com/cb", "POST_LOGOUT_REDIRECT https://billing.example.com/bye"].sort(),
      );
      const scopes = await db.applicationScope.findMany({ where: { applicationId: application.id } });
      expect(scopes.map((s) => s.scope).sort()).toEqual(["openid", "profile"]);

      const updates = await auditFor(db, application.id, "application.updated");
      expect(updates).toHaveLength(1);
      expect(updates[0]).toMatchObject({ actorId: "admin-user-id", actorEmail: "admin@example.com" });
      expect(updates[0]!.parsed).toEqual({
        name: "After",
        changes: {
          name: { from: "Before", to: "After" },
          redirectUris: {
            from: ["https://billing.example.com/callback", "https://billing.example.com/alt"],
            to: ["https://new.example.com/cb"],
          },
          allowedOrigins: { from: ["https://billing.example.com"], to: [] },
          allowedScopes: { from: ["email", "openid"], to: ["openid", "profile"] },
        },
      });

      // A confidential client that stays confidential keeps its secret.
      const stored = await secretColumns(db, application.id);
      expect(credentialMatches(clientSecret!, stored.clientSecretHash)).toBe(true);
      await expectNoSecretsInAudit(db, [clientSecret!]);
    });

    it("writes no audit row when nothing changed", async () => {
      const { application, clientSecret } = await create(db, webApp({ name: "Unchanged" }));
      issued.push(clientSecret!);
      const result = await updateApplication(db, application.id, webApp({ name: "Unchanged" }), admin);
      expect(result.ok).toBe(true);
      expect(await auditFor(db, application.id, "application.updated")).toEqual([]);
    });

    it("returns field errors for invalid input and changes nothing", async () => {
      const { application, clientSecret } = await create(db, webApp({ name: "Stable" }));
      issued.push(clientSecret!);
      const before = await counts(db);
      const result = await updateApplication(
        db,
        application.id,
        webApp({ redirectUris: ["https://ok.example.com/cb#frag"], accessTokenLifetime: 10 }),
        admin,
      );
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(Object.keys(result.errors).sort()).toEqual(["accessTokenLifetime", "redirectUris"]);
      expect(await counts(db)).toEqual(before);
      expect(await findApplication(db, application.id)).toEqual(application);
    });

    it("with the version the admin saw, writes only if nothing changed since, and says what it is now", async () => {
      const { application, clientSecret } = await create(db, webApp({ name: "Versioned" }));
      issued.push(clientSecret!);
      const seen = application.updatedAt;
      const trusted = await setApplicationTrusted(db, application.id, true, admin);
      const before = await counts(db);
      const stale = await updateApplication(db, application.id, webApp({ name: "Versioned v2" }), admin, {
        expectedVersion: seen,
      });
      expect(stale).toMatchObject({ ok: false, conflict: { skipAuthorization: true, updatedAt: trusted.updatedAt } });
      expect(await counts(db)).toEqual(before);
      expect(await findApplication(db, application.id)).toMatchObject({ name: "Versioned", skipAuthorization: true });

      const current = await updateApplication(db, application.id, webApp({ name: "Versioned v2" }), admin, {
        expectedVersion: trusted.updatedAt,
      });
      expect(current.ok).toBe(true);
      expect(await findApplication(db, application.id)).toMatchObject({ name: "Versioned v2" });
    });

    it("refuses an unknown id", async () => {
      await expect(updateApplication(db, "no-such-application", webApp(), admin)).rejects.toBeInstanceOf(
        ApplicationNotFoundError,
      );
    });

    it("issues a secret when a public client becomes confidential", async () => {
      const { application } = await create(
        db,
        webApp({ name: "Growing up", clientType: "public", grantTypes: ["authorization_code"] }),
      );
      const result = await updateApplication(
        db,
        application.id,
        webApp({
          name: "Growing up",
          clientType: "confidential",
          grantTypes: ["authorization_code", "client_credentials"],
        }),
        admin,
      );
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.clientSecret).toMatch(/^pcs_[0-9a-z]{8}[A-Za-z0-9_-]{43}$/);
      issued.push(result.clientSecret!);
      const stored = await secretColumns(db, application.id);
      expect(stored.clientSecretHash).toBe(result.clientSecret!.slice(4, 12) + sha256(result.clientSecret!));
      expect(stored.clientSecretHint).toBe(result.clientSecret!.slice(-4));
      expect(stored.clientSecretIssuedAt).not.toBeNull();
      expect(result.application.clientType).toBe("confidential");

      const [update] = await auditFor(db, application.id, "application.updated");
      expect(update!.parsed).toMatchObject({
        secretIssued: true,
        changes: { clientType: { from: "public", to: "confidential" } },
      });
      await expectNoSecretsInAudit(db, [result.clientSecret!]);
    });

    it("drops the secret when a confidential client becomes public", async () => {
      const { application, clientSecret } = await create(
        db,
        webApp({ name: "Going public", grantTypes: ["authorization_code", "client_credentials"] }),
      );
      issued.push(clientSecret!);
      const result = await updateApplication(
        db,
        application.id,
        webApp({ name: "Going public", clientType: "public", grantTypes: ["authorization_code"] }),
        admin,
      );
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.clientSecret).toBeUndefined();
      const stored = await secretColumns(db, application.id);
      expect(stored).toEqual({ clientSecretHash: null, clientSecretHint: null, clientSecretIssuedAt: null });
      expect(credentialMatches(clientSecret!, stored.clientSecretHash)).toBe(false);
      expect(result.application.grantTypes).toEqual(["authorization_code"]);
      expect(await db.applicationGrantType.count({ where: { applicationId: application.id } })).toBe(1);
    });

    it("refuses to make a client public while it keeps a confidential-only grant", async () => {
      const { application, clientSecret } = await create(
        db,
        webApp({ name: "Stuck", grantTypes: ["client_credentials"], redirectUris: [] }),
      );
      issued.push(clientSecret!);
      const result = await updateApplication(
        db,
        application.id,
        webApp({ name: "Stuck", clientType: "public", grantTypes: ["client_credentials"], redirectUris: [] }),
        admin,
      );
      expect(result.ok).toBe(false);
      expect(credentialMatches(clientSecret!, (await secretColumns(db, application.id)).clientSecretHash)).toBe(true);
    });
  });

  describe("setApplicationTrusted", () => {
    it("persists the flag and audits each change, and only changes", async () => {
      const { application, clientSecret } = await create(db, webApp({ name: "Trust me" }));
      issued.push(clientSecret!);
      expect(application.skipAuthorization).toBe(false);

      const trusted = await setApplicationTrusted(db, application.id, true, admin);
      expect(trusted.skipAuthorization).toBe(true);
      expect((await db.application.findUniqueOrThrow({ where: { id: application.id } })).skipAuthorization).toBe(true);

      await setApplicationTrusted(db, application.id, true, admin);
      const untrusted = await setApplicationTrusted(db, application.id, false, admin);
      expect(untrusted.skipAuthorization).toBe(false);
      expect((await findApplication(db, application.id))?.skipAuthorization).toBe(false);

      const rows = await auditFor(db, application.id, "application.trust_changed");
      expect(rows.map((row) => row.parsed)).toEqual([
        { name: "Trust me", changes: { skipAuthorization: { from: false, to: true } } },
        { name: "Trust me", changes: { skipAuthorization: { from: true, to: false } } },
      ]);
      expect(rows.every((row) => row.actorEmail === "admin@example.com")).toBe(true);
    });

    it("refuses an unknown id", async () => {
      await expect(setApplicationTrusted(db, "no-such-application", true, admin)).rejects.toBeInstanceOf(
        ApplicationNotFoundError,
      );
    });
  });

  describe("rotateClientSecret", () => {
    it("issues a new secret that matches, and the old one stops matching at once", async () => {
      const { application, clientSecret: oldSecret } = await create(db, webApp({ name: "Rotating" }));
      issued.push(oldSecret!);
      const before = await secretColumns(db, application.id);

      const { application: rotated, clientSecret: newSecret } = await rotateClientSecret(db, application.id, admin);
      issued.push(newSecret);
      expect(newSecret).toMatch(/^pcs_[0-9a-z]{8}[A-Za-z0-9_-]{43}$/);
      expect(newSecret).not.toBe(oldSecret);

      const after = await secretColumns(db, application.id);
      expect(credentialMatches(newSecret, after.clientSecretHash)).toBe(true);
      expect(credentialMatches(oldSecret!, after.clientSecretHash)).toBe(false);
      expect(after.clientSecretHint).toBe(newSecret.slice(-4));
      expect(rotated.clientSecretHint).toBe(newSecret.slice(-4));
      expect(after.clientSecretIssuedAt!.getTime()).toBeGreaterThanOrEqual(before.clientSecretIssuedAt!.getTime());

      const rows = await auditFor(db, application.id, "application.secret_rotated");
      expect(rows).toHaveLength(1);
      expect(rows[0]!.parsed).toEqual({
        name: "Rotating",
        previousHint: oldSecret!.slice(-4),
        newHint: newSecret.slice(-4),
      });
      await expectNoSecretsInAudit(db, [oldSecret!, newSecret]);
    });

    it("refuses a public client, which has no secret, and changes nothing", async () => {
      const { application } = await create(
        db,
        webApp({ name: "No secret", clientType: "public", grantTypes: ["authorization_code"] }),
      );
      await expect(rotateClientSecret(db, application.id, admin)).rejects.toThrow(/public/i);
      expect(await secretColumns(db, application.id)).toEqual({
        clientSecretHash: null,
        clientSecretHint: null,
        clientSecretIssuedAt: null,
      });
      expect(await auditFor(db, application.id, "application.secret_rotated")).toEqual([]);
    });

    it("refuses an unknown id", async () => {
      await expect(rotateClientSecret(db, "no-such-application", admin)).rejects.toBeInstanceOf(
        ApplicationNotFoundError,
      );
    });
  });

  describe("concurrency and no-op edits", () => {
    it("saving an application unchanged, with grant types and scopes in another order, audits nothing", async () => {
      const { application, clientSecret } = await create(
        db,
        webApp({ name: "Reordered", grantTypes: ["refresh_token", "authorization_code"] }),
      );
      issued.push(clientSecret!);
      const before = (await auditFor(db, application.id)).length;
      const result = await updateApplication(
        db,
        application.id,
        webApp({
          name: "Reordered",
          grantTypes: ["authorization_code", "refresh_token"],
          allowedScopes: "openid email",
        }),
        admin,
      );
      expect(result.ok).toBe(true);
      expect((await auditFor(db, application.id)).length).toBe(before);
    });

    it("two concurrent deletes: one deletes, the other reports not found (never a database error)", async () => {
      const { application, clientSecret } = await create(db, webApp({ name: "Deleted twice" }));
      issued.push(clientSecret!);
      const outcomes = await Promise.allSettled([
        deleteApplication(db, application.id, admin),
        deleteApplication(db, application.id, admin),
      ]);
      const fulfilled = outcomes.filter((outcome) => outcome.status === "fulfilled");
      const rejectedOutcomes = outcomes.filter(
        (outcome): outcome is PromiseRejectedResult => outcome.status === "rejected",
      );
      expect(fulfilled.length).toBeGreaterThanOrEqual(1);
      for (const outcome of rejectedOutcomes) expect(outcome.reason).toBeInstanceOf(ApplicationNotFoundError);
      expect(await findApplication(db, application.id)).toBeNull();
      await expect(setApplicationTrusted(db, application.id, true, admin)).rejects.toBeInstanceOf(
        ApplicationNotFoundError,
      );
    });

    it("search text is literal: %, _ and \\ match only themselves, in any letter case", async () => {
      const names = ["100% Uptime", "Plain", "a_b Reports", "AxB Reports", "back\\slash"];
      for (const name of names) issued.push((await create(db, webApp({ name: `Literal ${name}` }))).clientSecret!);
      const found = async (search: string) =>
        (await listApplications(db, { search, pageSize: 100 })).items
          .map((row) => row.name)
          .filter((name) => name.startsWith("Literal "))
          .sort();
      expect(await found("%")).toEqual(["Literal 100% Uptime"]);
      // (Client ids are searched too and may hold "_"; a space keeps these to names.)
      expect(await found("A_B R")).toEqual(["Literal a_b Reports"]);
      expect(await found("_b r")).toEqual(["Literal a_b Reports"]);
      expect(await found("\\")).toEqual(["Literal back\\slash"]);
      expect(await found("axb")).toEqual(["Literal AxB Reports"]);
    });

    it("a page number below 1 gives the first page", async () => {
      const first = await listApplications(db, { page: 1, sort: "name" });
      for (const page of [0, -3]) expect(await listApplications(db, { page, sort: "name" })).toEqual(first);
    });
  });

  describe("deleteApplication", () => {
    it("removes the application with its lists, codes, tokens and consents, and keeps the audit trail", async () => {
      const user = await db.user.create({ data: { email: `deleting-${provider}@example.com`, passwordHash: "x" } });
      const doomed = await create(db, webApp({ name: "Doomed" }));
      const kept = await create(db, webApp({ name: "Kept" }));
      issued.push(doomed.clientSecret!, kept.clientSecret!);
      const now = new Date();
      const later = new Date(now.getTime() + 3_600_000);
      for (const [app, tag] of [
        [doomed.application, "d"],
        [kept.application, "k"],
      ] as const) {
        await db.consent.create({
          data: { userId: user.id, applicationId: app.id, scope: "openid", expiresAt: later },
        });
        await db.authorizationCode.create({
          data: {
            codeHash: `code-${tag}-${provider}`,
            applicationId: app.id,
            userId: user.id,
            redirectUri: "https://billing.example.com/callback",
            scope: "openid",
            authTime: now,
            expiresAt: later,
          },
        });
        await db.accessToken.create({
          data: {
            tokenHash: `access-${tag}-${provider}`,
            applicationId: app.id,
            userId: user.id,
            scope: "openid",
            grantType: "authorization_code",
            expiresAt: later,
          },
        });
        await db.refreshToken.create({
          data: {
            tokenHash: `refresh-${tag}-${provider}`,
            applicationId: app.id,
            userId: user.id,
            scope: "openid",
            familyId: `family-${tag}`,
          },
        });
      }
      const id = doomed.application.id;
      const childCounts = async (applicationId: string) => ({
        grantTypes: await db.applicationGrantType.count({ where: { applicationId } }),
        uris: await db.applicationUri.count({ where: { applicationId } }),
        scopes: await db.applicationScope.count({ where: { applicationId } }),
        consents: await db.consent.count({ where: { applicationId } }),
        codes: await db.authorizationCode.count({ where: { applicationId } }),
        accessTokens: await db.accessToken.count({ where: { applicationId } }),
        refreshTokens: await db.refreshToken.count({ where: { applicationId } }),
      });
      const keptBefore = await childCounts(kept.application.id);
      expect(await childCounts(id)).toEqual(keptBefore);
      expect(Object.values(keptBefore).every((n) => n > 0)).toBe(true);

      const deleted = await deleteApplication(db, id, admin);
      expect(deleted).toEqual(doomed.application);

      expect(await findApplication(db, id)).toBeNull();
      expect(await childCounts(id)).toEqual({
        grantTypes: 0,
        uris: 0,
        scopes: 0,
        consents: 0,
        codes: 0,
        accessTokens: 0,
        refreshTokens: 0,
      });
      expect(await childCounts(kept.application.id)).toEqual(keptBefore);
      expect(await db.user.findUnique({ where: { id: user.id } })).not.toBeNull();

      const rows = await auditFor(db, id);
      expect(rows.map((row) => row.action)).toEqual(["application.created", "application.deleted"]);
      expect(rows[1]).toMatchObject({ actorId: "admin-user-id", applicationId: id });
      expect(rows[1]!.parsed).toEqual({ name: "Doomed", clientId: doomed.application.clientId });
    });

    it("refuses an unknown id and writes nothing", async () => {
      const before = await counts(db);
      await expect(deleteApplication(db, "no-such-application", admin)).rejects.toBeInstanceOf(
        ApplicationNotFoundError,
      );
      expect(await counts(db)).toEqual(before);
    });
  });

  it("never wrote any issued secret, or its hash, into any audit row", async () => {
    expect(issued.length).toBeGreaterThanOrEqual(10);
    await expectNoSecretsInAudit(db, issued);
  });
});

interface Fixture {
  name: string;
  clientType: "confidential" | "public";
  grantTypes: string[];
  trusted: boolean;
}

const fixtures: Fixture[] = [
  {
    name: "Billing Portal",
    clientType: "confidential",
    grantTypes: ["authorization_code", "refresh_token"],
    trusted: true,
  },
  { name: "Billing Worker", clientType: "confidential", grantTypes: ["client_credentials"], trusted: false },
  { name: "Nightly BILLING Export", clientType: "confidential", grantTypes: ["client_credentials"], trusted: false },
  { name: "Inventory", clientType: "public", grantTypes: ["authorization_code"], trusted: false },
  { name: "Mobile App", clientType: "public", grantTypes: ["authorization_code", "refresh_token"], trusted: true },
  {
    name: "TV App",
    clientType: "public",
    grantTypes: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
    trusted: false,
  },
  {
    name: "Warehouse Scanner",
    clientType: "public",
    grantTypes: ["urn:ietf:params:oauth:grant-type:device_code"],
    trusted: false,
  },
  { name: "Legacy Importer", clientType: "confidential", grantTypes: ["password", "refresh_token"], trusted: false },
  { name: "Analytics", clientType: "confidential", grantTypes: ["client_credentials"], trusted: true },
  { name: "Dashboard", clientType: "confidential", grantTypes: ["authorization_code"], trusted: false },
  { name: "Helpdesk", clientType: "public", grantTypes: ["authorization_code"], trusted: false },
  {
    name: "Partner API",
    clientType: "confidential",
    grantTypes: ["client_credentials", "authorization_code"],
    trusted: false,
  },
];

interface Listed extends Fixture {
  id: string;
  clientId: string;
  createdAt: Date;
  updatedAt: Date;
}

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);

function expectedOrder(apps: Listed[], sort: ApplicationSort): Listed[] {
  const key = sort.replace(/^-/, "");
  const value = (app: Listed) =>
    key === "name" ? app.name : key === "created" ? app.createdAt.getTime() : app.updatedAt.getTime();
  const sorted = [...apps].sort((a, b) => compare(value(a), value(b)) || compare(a.id, b.id));
  return sort.startsWith("-") ? sorted.reverse() : sorted;
}

describe.each(providers)("listApplications on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  const apps: Listed[] = [];

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
    const base = Date.UTC(2026, 0, 1);
    for (const [index, fixture] of fixtures.entries()) {
      const { application } = await create(db, {
        name: fixture.name,
        clientType: fixture.clientType,
        grantTypes: fixture.grantTypes,
        redirectUris: fixture.grantTypes.includes("authorization_code") ? ["https://app.example.com/cb"] : [],
        skipAuthorization: fixture.trusted,
      });
      // Distinct creation and update times in orders unrelated to the names or to each other.
      const createdAt = new Date(base + ((index * 5) % fixtures.length) * 60_000);
      const updatedAt = new Date(base + ((index * 7 + 3) % fixtures.length) * 3_600_000);
      await db.application.update({ where: { id: application.id }, data: { createdAt, updatedAt } });
      apps.push({ ...fixture, id: application.id, clientId: application.clientId, createdAt, updatedAt });
    }
  });
  afterAll(async () => {
    await t?.drop();
  });

  const ids = (rows: { id: string }[]) => rows.map((row) => row.id);
  const matching = (search: string) =>
    apps.filter(
      (app) =>
        app.name.toLowerCase().includes(search.toLowerCase()) ||
        app.clientId.toLowerCase().includes(search.toLowerCase()),
    );

  it("lists everything, newest first, by default", async () => {
    const page = await listApplications(db);
    expect(page).toMatchObject({ total: fixtures.length, page: 1, pageSize: 25, pageCount: 1 });
    expect(ids(page.items)).toEqual(ids(expectedOrder(apps, "-created")));
  });

  it("returns list rows with sorted grant types and no secret material", async () => {
    const page = await listApplications(db, { sort: "name" });
    for (const item of page.items) {
      const app = apps.find((a) => a.id === item.id)!;
      expect(item).toEqual({
        id: app.id,
        clientId: app.clientId,
        name: app.name,
        clientType: app.clientType,
        grantTypes: [...app.grantTypes].sort(),
        skipAuthorization: app.trusted,
        createdAt: app.createdAt,
        fields: {},
      });
    }
  });

  it.each(["billing", "BILLING", "BiLlInG", "Billing"])(
    "finds names containing %j regardless of case",
    async (search) => {
      const page = await listApplications(db, { search, sort: "name" });
      expect(page.items.map((item) => item.name)).toEqual([
        "Billing Portal",
        "Billing Worker",
        "Nightly BILLING Export",
      ]);
      expect(page.total).toBe(3);
    },
  );

  it("finds an application by part of its client id", async () => {
    const target = apps[5]!;
    const part = target.clientId.slice(4, 16);
    const page = await listApplications(db, { search: part });
    expect(ids(page.items)).toContain(target.id);
    expect(ids(page.items).sort()).toEqual(ids(matching(part)).sort());
    const exact = await listApplications(db, { search: target.clientId });
    expect(ids(exact.items)).toEqual([target.id]);
  });

  it("finds nothing for text no application has", async () => {
    expect(await listApplications(db, { search: "no such application" })).toEqual({
      items: [],
      total: 0,
      totalIsExact: true,
      page: 1,
      pageSize: 25,
      pageCount: 1,
    });
  });

  it.each([
    "authorization_code",
    "refresh_token",
    "client_credentials",
    "urn:ietf:params:oauth:grant-type:device_code",
    "password",
  ] as const)("filters by grant type %s", async (grantType) => {
    const page = await listApplications(db, { grantType, sort: "name" });
    const expected = expectedOrder(
      apps.filter((app) => app.grantTypes.includes(grantType)),
      "name",
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(page.items)).toEqual(ids(expected));
    expect(page.total).toBe(expected.length);
  });

  it.each(["confidential", "public"] as const)("filters by client type %s", async (clientType) => {
    const page = await listApplications(db, { clientType, sort: "name" });
    expect(ids(page.items)).toEqual(
      ids(
        expectedOrder(
          apps.filter((app) => app.clientType === clientType),
          "name",
        ),
      ),
    );
  });

  it.each([true, false])("filters by trusted = %s", async (trusted) => {
    const page = await listApplications(db, { trusted, sort: "name" });
    expect(ids(page.items)).toEqual(
      ids(
        expectedOrder(
          apps.filter((app) => app.trusted === trusted),
          "name",
        ),
      ),
    );
  });

  it("combines search and filters", async () => {
    const page = await listApplications(db, {
      search: "billing",
      clientType: "confidential",
      grantType: "client_credentials",
      trusted: false,
      sort: "name",
    });
    expect(page.items.map((item) => item.name)).toEqual(["Billing Worker", "Nightly BILLING Export"]);
    const none = await listApplications(db, { search: "billing", clientType: "public" });
    expect(none.total).toBe(0);
  });

  it.each(applicationSorts)("sorts by %s", async (sort) => {
    const page = await listApplications(db, { sort, pageSize: 100 });
    expect(ids(page.items)).toEqual(ids(expectedOrder(apps, sort)));
  });

  it("pages without overlap or gaps, with the right totals", async () => {
    const pageSize = 5;
    const pages = [];
    for (let page = 1; page <= 3; page++) pages.push(await listApplications(db, { sort: "name", page, pageSize }));
    for (const [index, page] of pages.entries()) {
      expect(page).toMatchObject({ total: fixtures.length, page: index + 1, pageSize, pageCount: 3 });
    }
    expect(pages.map((page) => page.items.length)).toEqual([5, 5, 2]);
    const all = pages.flatMap((page) => ids(page.items));
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual(ids(expectedOrder(apps, "name")));
  });

  it("clamps a page beyond the end to the last page", async () => {
    const last = await listApplications(db, { sort: "name", page: 3, pageSize: 5 });
    for (const page of [99, 1e20, Number.MAX_VALUE]) {
      const beyond = await listApplications(db, { sort: "name", page, pageSize: 5 });
      expect(beyond.page).toBe(3);
      expect(beyond.items).toEqual(last.items);
      // With the count capped too, as the dashboard lists it.
      const capped = await listApplications(db, { sort: "name", page, pageSize: 5, countCap: 4 });
      expect(capped).toMatchObject({ page: 3, total: fixtures.length, totalIsExact: true });
    }
    const filtered = await listApplications(db, { search: "billing", page: 7 });
    expect(filtered).toMatchObject({ page: 1, pageCount: 1, total: 3 });
  });

  it("stops counting at the cap, says so, and still reaches every page", async () => {
    const countCap = 5;
    const pageSize = 2;
    const first = await listApplications(db, { sort: "name", pageSize, countCap });
    expect(first).toMatchObject({ total: countCap, totalIsExact: false, page: 1, pageCount: 3 });
    expect(hasNextPage(first)).toBe(true);
    expect(formatTotal(first)).toBe("5+");
    // Page by page past the cap, as the CLI does, until the list says nothing follows.
    const pages = [first];
    while (hasNextPage(pages.at(-1)!))
      pages.push(await listApplications(db, { sort: "name", page: pages.length + 1, pageSize, countCap }));
    expect(pages.flatMap((page) => ids(page.items))).toEqual(ids(expectedOrder(apps, "name")));
    const last = pages.at(-1)!;
    expect(last).toMatchObject({ total: fixtures.length, totalIsExact: true, page: Math.ceil(fixtures.length / 2) });
    // Under the cap, the total is exact.
    const billing = await listApplications(db, { search: "billing", countCap });
    expect(billing).toMatchObject({ total: 3, totalIsExact: true });
    expect(formatTotal(billing)).toBe("3");
  });

  it("keeps the page size between 1 and 100", async () => {
    const tiny = await listApplications(db, { sort: "name", pageSize: 0 });
    expect(tiny).toMatchObject({ pageSize: 1, pageCount: fixtures.length });
    expect(tiny.items).toHaveLength(1);
    const huge = await listApplications(db, { pageSize: 10_000 });
    expect(huge.pageSize).toBe(100);
  });
});

describe.each(providers)("listApplications over 10,000 applications on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  const total = 10_000;
  const pad = (i: number) => String(i).padStart(5, "0");
  const base = Date.UTC(2025, 0, 1);
  interface Bulk {
    id: string;
    name: string;
    clientId: string;
    createdAt: Date;
    refresh: boolean;
  }
  const bulk: Bulk[] = Array.from({ length: total }, (_, i) => ({
    id: `bulk-${pad(i)}`,
    // Every seventh is a payments app; names are unique and sort the same in any collation.
    name: `Bulk ${pad(i)}${i % 7 === 0 ? " Payments" : ""}`,
    clientId: `bulk-client-${pad(i)}`,
    // Creation order is not name order: odd and even halves interleave backwards.
    createdAt: new Date(base + (i % 2 === 0 ? i : total * 2 - i) * 1_000),
    refresh: i % 3 === 0,
  }));

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
    const chunk = 1_000;
    for (let start = 0; start < total; start += chunk) {
      const slice = bulk.slice(start, start + chunk);
      await db.application.createMany({
        data: slice.map((app) => ({
          id: app.id,
          clientId: app.clientId,
          name: app.name,
          clientType: "PUBLIC" as const,
          createdAt: app.createdAt,
          updatedAt: app.createdAt,
        })),
      });
      await db.applicationGrantType.createMany({
        data: slice.flatMap((app) => [
          { applicationId: app.id, grantType: "authorization_code" },
          ...(app.refresh ? [{ applicationId: app.id, grantType: "refresh_token" }] : []),
        ]),
      });
    }
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("stored them all", async () => {
    expect(await db.application.count()).toBe(total);
    expect(await db.applicationGrantType.count()).toBe(total + bulk.filter((app) => app.refresh).length);
  });

  it("pages through everything, newest first", async () => {
    const newest = [...bulk].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const pageCount = Math.ceil(total / 25);
    for (const page of [1, Math.ceil(pageCount / 2), pageCount]) {
      const result = await listApplications(db, { page });
      expect(result).toMatchObject({ total, page, pageSize: 25, pageCount });
      expect(result.items.map((item) => item.id)).toEqual(
        newest.slice((page - 1) * 25, page * 25).map((app) => app.id),
      );
    }
  });

  it("returns the first, a middle and the last page of a search", async () => {
    const expected = bulk.filter((app) => app.name.includes("Payments")).sort((a, b) => compare(a.name, b.name));
    const pageSize = 50;
    const pageCount = Math.ceil(expected.length / pageSize);
    expect(pageCount).toBeGreaterThan(2);
    for (const page of [1, Math.ceil(pageCount / 2), pageCount]) {
      const result = await listApplications(db, { search: "payments", sort: "name", page, pageSize });
      expect(result).toMatchObject({ total: expected.length, page, pageSize, pageCount });
      expect(result.items.map((item) => item.name)).toEqual(
        expected.slice((page - 1) * pageSize, page * pageSize).map((app) => app.name),
      );
    }
    const last = await listApplications(db, { search: "payments", sort: "name", page: pageCount, pageSize });
    expect(last.items).toHaveLength(expected.length - (pageCount - 1) * pageSize);
    const beyond = await listApplications(db, { search: "payments", sort: "name", page: pageCount + 10, pageSize });
    expect(beyond.page).toBe(pageCount);
    expect(beyond.items).toEqual(last.items);
  });

  it("combines a search with a grant type filter, newest first", async () => {
    const expected = bulk
      .filter((app) => app.name.includes("Payments") && app.refresh)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    const pageSize = 20;
    const pageCount = Math.ceil(expected.length / pageSize);
    for (const page of [1, Math.ceil(pageCount / 2), pageCount]) {
      const result = await listApplications(db, { search: "PAYMENTS", grantType: "refresh_token", page, pageSize });
      expect(result).toMatchObject({ total: expected.length, page, pageCount });
      expect(result.items.map((item) => item.id)).toEqual(
        expected.slice((page - 1) * pageSize, page * pageSize).map((app) => app.id),
      );
      for (const item of result.items) expect(item.grantTypes).toEqual(["authorization_code", "refresh_token"]);
    }
  });

  it("finds client ids by prefix text", async () => {
    const expected = bulk
      .filter((app) => app.clientId.includes("bulk-client-0420"))
      .sort((a, b) => compare(a.name, b.name));
    const result = await listApplications(db, { search: "bulk-client-0420", sort: "name" });
    expect(result.total).toBe(expected.length);
    expect(result.items.map((item) => item.id)).toEqual(expected.map((app) => app.id));
  });
});
