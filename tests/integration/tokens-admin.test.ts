/**
 * What admins see of an application's tokens and how they take them back (lib/tokens/queries.ts,
 * commands.ts), against real SQLite and PostgreSQL databases: live counts and lists that never
 * carry a token or its hash, one audit entry per revocation with the right counts and no
 * credential in it, a refresh token taking its family with it, and an application that does not
 * exist reported as such with nothing audited.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/applications/commands";
import { systemActor, type Actor } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { generateCredential, hashCredential } from "@/lib/oauth/secrets";
import { revokeAllTokens, revokeToken } from "@/lib/tokens/commands";
import { listAccessTokens, listConsents, listRefreshTokens, tokenCounts } from "@/lib/tokens/queries";
import { createUser } from "@/lib/users/commands";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

const hour = 3600_000;
const admin: Actor = { kind: "user", id: "tokens-admin", email: "tokens-admin@example.com", ip: "198.51.100.30" };

describe.each(providers)("admin token revocation on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  /** Every token value made, to look for in the audit log. */
  const values: string[] = [];
  let users: { id: string; email: string }[];

  async function app(name: string): Promise<string> {
    const created = await createApplication(
      db,
      {
        name,
        clientType: "confidential",
        grantTypes: ["authorization_code", "refresh_token", "client_credentials"],
        redirectUris: "https://tokens.example.com/cb",
      },
      systemActor,
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    return created.application.id;
  }

  const stamp = (offset: number) => new Date(Date.now() + offset);

  async function access(
    applicationId: string,
    options: {
      userId?: string | null;
      familyId?: string;
      expiresIn?: number;
      revoked?: boolean;
      issuedAgo?: number;
    } = {},
  ) {
    const value = generateCredential("accessToken");
    values.push(value);
    return db.accessToken.create({
      data: {
        tokenHash: hashCredential(value),
        applicationId,
        userId: options.userId === undefined ? users[0]!.id : options.userId,
        scope: "openid read",
        grantType: options.userId === null ? "client_credentials" : "authorization_code",
        familyId: options.familyId ?? null,
        expiresAt: stamp(options.expiresIn ?? hour),
        revokedAt: options.revoked ? stamp(-hour) : null,
        createdAt: stamp(-(options.issuedAgo ?? 0)),
      },
    });
  }

  async function refresh(
    applicationId: string,
    familyId: string,
    options: { userId?: string; rotated?: boolean; revoked?: boolean; issuedAgo?: number } = {},
  ) {
    const value = generateCredential("refreshToken");
    values.push(value);
    return db.refreshToken.create({
      data: {
        tokenHash: hashCredential(value),
        applicationId,
        userId: options.userId ?? users[0]!.id,
        scope: "openid offline_access",
        familyId,
        expiresAt: stamp(24 * hour),
        rotatedAt: options.rotated ? stamp(-hour) : null,
        revokedAt: options.revoked ? stamp(-hour) : null,
        createdAt: stamp(-(options.issuedAgo ?? 0)),
      },
    });
  }

  const auditRows = (applicationId: string) =>
    db.auditEvent.findMany({
      where: { applicationId, action: { in: ["token.revoked", "tokens.revoked_all"] } },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });

  async function expectNoCredentialInAudit() {
    const text = JSON.stringify(await db.auditEvent.findMany());
    for (const value of values) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(hashCredential(value));
      expect(text).not.toContain(value.slice(12));
    }
  }

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
    users = [];
    for (const name of ["ada", "ben"]) {
      const created = await createUser(
        db,
        { email: `${name}.tokens@example.com`, password: "long-password" },
        systemActor,
      );
      if (!created.ok) throw new Error(JSON.stringify(created.errors));
      users.push({ id: created.user.id, email: created.user.email });
    }
  });
  afterAll(async () => {
    await t?.drop();
  });

  describe("counts and lists", () => {
    let id: string;
    beforeAll(async () => {
      id = await app("Counted");
      const other = await app("Someone else");
      await access(id, { issuedAgo: 3000 });
      await access(id, { userId: users[1]!.id, issuedAgo: 2000 });
      await access(id, { userId: null, issuedAgo: 1000 });
      await access(id, { expiresIn: -1000 }); // expired
      await access(id, { revoked: true }); // revoked
      await access(other);
      const family = randomUUID();
      await refresh(id, family, { rotated: true, issuedAgo: 5000 });
      await refresh(id, family, { issuedAgo: 4000 });
      await refresh(id, randomUUID(), { revoked: true });
      await refresh(other, randomUUID());
      await db.consent.create({
        data: { userId: users[0]!.id, applicationId: id, scope: "openid", expiresAt: stamp(hour) },
      });
      await db.consent.create({
        data: { userId: users[1]!.id, applicationId: id, scope: "openid", expiresAt: stamp(-hour) },
      });
    });

    it("counts only what is still live: not expired, revoked or rotated, and only this application's", async () => {
      expect(await tokenCounts(db, id)).toEqual({ accessTokens: 3, refreshTokens: 1, consents: 1 });
    });

    it("lists live tokens and consents newest first, a page at a time, without token values or hashes", async () => {
      const first = await listAccessTokens(db, id, 1, 2);
      expect(first).toMatchObject({ total: 3, page: 1, pageSize: 2, pageCount: 2 });
      expect(first.items.map((row) => row.user?.email ?? null)).toEqual([null, users[1]!.email]);
      const second = await listAccessTokens(db, id, 2, 2);
      expect(second.items.map((row) => row.user?.email)).toEqual([users[0]!.email]);
      expect(first.items[0]).toMatchObject({ grantType: "client_credentials", scope: "openid read" });
      const refreshes = await listRefreshTokens(db, id);
      expect(refreshes.total).toBe(1);
      expect(refreshes.items[0]).toMatchObject({ user: { email: users[0]!.email }, grantType: null });
      const consents = await listConsents(db, id);
      expect(consents.items.map((row) => row.user.email)).toEqual([users[0]!.email]);
      const listed = JSON.stringify([first, second, refreshes, consents]);
      expect(listed).not.toMatch(/tokenHash|pca_|pcr_/);
      for (const value of values) expect(listed).not.toContain(hashCredential(value));
    });
  });

  describe("revoking", () => {
    let id: string;
    let other: string;
    beforeEach(async () => {
      id = await app(`Revoked ${randomUUID().slice(0, 8)}`);
      other = await app(`Bystander ${randomUUID().slice(0, 8)}`);
    });

    it("revokes one access token with one audit entry; a second try or another app's token is not found and audits nothing", async () => {
      const token = await access(id);
      const kept = await access(id, { userId: users[1]!.id });
      const elsewhere = await access(other);

      expect(await revokeToken(db, id, "access_token", token.id, admin)).toEqual({ ok: true });
      expect((await db.accessToken.findUniqueOrThrow({ where: { id: token.id } })).revokedAt).not.toBeNull();
      expect((await db.accessToken.findUniqueOrThrow({ where: { id: kept.id } })).revokedAt).toBeNull();

      const again = await revokeToken(db, id, "access_token", token.id, admin);
      expect(again).toMatchObject({ ok: false, reason: "not_found" });
      expect(await revokeToken(db, id, "access_token", elsewhere.id, admin)).toMatchObject({ ok: false });
      expect(await revokeToken(db, id, "refresh_token", kept.id, admin)).toMatchObject({ ok: false });
      expect((await db.accessToken.findUniqueOrThrow({ where: { id: elsewhere.id } })).revokedAt).toBeNull();

      const rows = await auditRows(id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ actorId: admin.id, ip: "198.51.100.30", action: "token.revoked" });
      expect(JSON.parse(rows[0]!.details)).toEqual({
        name: expect.stringMatching(/^Revoked /),
        kind: "access_token",
        tokenId: token.id,
        user: users[0]!.email,
      });
      expect(await auditRows(other)).toEqual([]);
      await expectNoCredentialInAudit();
    });

    it("revokes a refresh token's whole family, rotations and access tokens included, and nothing else", async () => {
      const family = randomUUID();
      const rotated = await refresh(id, family, { rotated: true });
      const current = await refresh(id, family);
      const issuedWith = await access(id, { familyId: family });
      const otherFamily = await refresh(id, randomUUID(), { userId: users[1]!.id });
      const plain = await access(id, { userId: users[1]!.id });

      expect(await revokeToken(db, id, "refresh_token", current.id, admin)).toEqual({ ok: true });
      for (const row of [rotated, current]) {
        expect((await db.refreshToken.findUniqueOrThrow({ where: { id: row.id } })).revokedAt).not.toBeNull();
      }
      expect((await db.accessToken.findUniqueOrThrow({ where: { id: issuedWith.id } })).revokedAt).not.toBeNull();
      expect((await db.refreshToken.findUniqueOrThrow({ where: { id: otherFamily.id } })).revokedAt).toBeNull();
      expect((await db.accessToken.findUniqueOrThrow({ where: { id: plain.id } })).revokedAt).toBeNull();
      expect(await tokenCounts(db, id)).toMatchObject({ accessTokens: 1, refreshTokens: 1 });

      const rows = await auditRows(id);
      expect(rows.map((row) => [row.action, JSON.parse(row.details).kind, JSON.parse(row.details).tokenId])).toEqual([
        ["token.revoked", "refresh_token", current.id],
      ]);
      await expectNoCredentialInAudit();
    });

    it("revokes all of an application's tokens and open codes in one audited change, with the live counts", async () => {
      await access(id);
      await access(id, { userId: users[1]!.id });
      await access(id, { userId: null });
      await access(id, { expiresIn: -1000 }); // already dead: revoked too, not counted
      const family = randomUUID();
      await refresh(id, family, { rotated: true });
      await refresh(id, family);
      await refresh(id, randomUUID(), { userId: users[1]!.id });
      const code = await db.authorizationCode.create({
        data: {
          codeHash: hashCredential(generateCredential("authorizationCode")),
          applicationId: id,
          userId: users[0]!.id,
          redirectUri: "https://tokens.example.com/cb",
          scope: "openid",
          authTime: new Date(),
          expiresAt: stamp(60_000),
        },
      });
      const bystander = await access(other);

      expect(await revokeAllTokens(db, id, admin)).toEqual({ ok: true, accessTokens: 3, refreshTokens: 2 });
      expect(await db.accessToken.count({ where: { applicationId: id, revokedAt: null } })).toBe(0);
      expect(await db.refreshToken.count({ where: { applicationId: id, revokedAt: null } })).toBe(0);
      expect((await db.authorizationCode.findUniqueOrThrow({ where: { id: code.id } })).consumedAt).not.toBeNull();
      expect(await tokenCounts(db, id)).toEqual({ accessTokens: 0, refreshTokens: 0, consents: 0 });
      expect((await db.accessToken.findUniqueOrThrow({ where: { id: bystander.id } })).revokedAt).toBeNull();

      const rows = await auditRows(id);
      expect(rows.map((row) => [row.action, row.actorEmail, JSON.parse(row.details)])).toEqual([
        [
          "tokens.revoked_all",
          admin.email,
          { name: expect.stringMatching(/^Revoked /), accessTokens: 3, refreshTokens: 2 },
        ],
      ]);
      // Nothing left: a second revoke-all is still one change, counted as zero.
      expect(await revokeAllTokens(db, id, admin)).toEqual({ ok: true, accessTokens: 0, refreshTokens: 0 });
      expect(await auditRows(id)).toHaveLength(2);
      await expectNoCredentialInAudit();
    });

    it("revoke-all on an application that does not exist says so and audits nothing", async () => {
      const before = await db.auditEvent.count();
      const missing = randomUUID();
      expect(await revokeAllTokens(db, missing, admin)).toEqual({
        ok: false,
        reason: "not_found",
        message: "This application no longer exists.",
      });
      expect(await revokeToken(db, missing, "access_token", randomUUID(), admin)).toMatchObject({ ok: false });
      expect(await db.auditEvent.count()).toBe(before);
    });
  });
});
