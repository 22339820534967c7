/**
 * lib/access (connected apps, revoking a user's access to an app) against real, migrated SQLite and
 * PostgreSQL databases, with tokens issued and checked by the real protocol core on the real store.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { revokeAccess } from "@/lib/access/commands";
import { connectedApps, describeScopes, type ConnectedApp } from "@/lib/access/queries";
import { createApplication } from "@/lib/applications/commands";
import { systemActor, type Actor } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import type { ProtocolContext } from "@/lib/oauth/context";
import { OAuthError } from "@/lib/oauth/errors";
import { handleIntrospection } from "@/lib/oauth/introspect";
import { parseParams } from "@/lib/oauth/params";
import { builtInScopes } from "@/lib/oauth/scope";
import { hashCredential } from "@/lib/oauth/secrets";
import { handleTokenRequest } from "@/lib/oauth/token";
import { createUser } from "@/lib/users/commands";
import { testProtocol } from "../support/protocol.ts";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

interface App {
  id: string;
  clientId: string;
  clientSecret: string;
  name: string;
}

interface Person {
  id: string;
  email: string;
  password: string;
}

interface Tokens {
  access: string;
  refresh: string;
}

const protocolFor = (db: Db): ProtocolContext => testProtocol(db);

describe.each(providers)("connected apps and revoking access on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  let ctx: ProtocolContext;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let photos: App;
  let notes: App;
  let trusted: App;
  const admin: Actor = { kind: "user", id: "admin-id", email: "admin@example.com", ip: "198.51.100.4" };

  async function app(name: string, extra: Record<string, unknown> = {}): Promise<App> {
    const result = await createApplication(
      db,
      { name, clientType: "confidential", grantTypes: ["password", "refresh_token"], ...extra },
      systemActor,
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return {
      id: result.application.id,
      clientId: result.application.clientId,
      clientSecret: result.clientSecret!,
      name,
    };
  }

  async function person(email: string): Promise<Person> {
    const password = `pw-${email}-long`;
    const result = await createUser(db, { email, password, name: email.split("@")[0] }, systemActor);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return { id: result.user.id, email, password };
  }

  /** Real tokens from the token endpoint's core (password grant: no browser needed here). */
  async function issue(user: Person, client: App, scope = "read"): Promise<Tokens> {
    const { response } = await handleTokenRequest(
      ctx,
      parseParams(
        new URLSearchParams({
          grant_type: "password",
          username: user.email,
          password: user.password,
          scope,
          client_id: client.clientId,
          client_secret: client.clientSecret,
        }),
      ),
      null,
    );
    return { access: response.access_token, refresh: response.refresh_token! };
  }

  async function refresh(client: App, token: string): Promise<string> {
    const { response } = await handleTokenRequest(
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
    return response.refresh_token!;
  }

  async function refreshError(client: App, token: string): Promise<string | null> {
    try {
      await refresh(client, token);
      return null;
    } catch (error) {
      if (error instanceof OAuthError) return error.code;
      throw error;
    }
  }

  async function active(client: App, token: string): Promise<boolean> {
    const { response } = await handleIntrospection(
      ctx,
      parseParams(new URLSearchParams({ token, client_id: client.clientId, client_secret: client.clientSecret })),
      null,
    );
    return response.active;
  }

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
    ctx = protocolFor(db);
    [alice, bob, carol] = [
      await person("alice@example.com"),
      await person("bob@example.com"),
      await person("carol@example.com"),
    ];
    photos = await app("Photo Printer", {
      logoUri: "https://photos.example.com/logo.png",
      homepageUri: "https://photos.example.com",
    });
    notes = await app("Notes");
    trusted = await app("Intranet", { skipAuthorization: true });
  });
  afterAll(async () => {
    await t?.drop();
  });

  describe("connectedApps", () => {
    it("lists consented apps and apps holding live tokens, with scopes, dates and usage; nothing for a user with neither", async () => {
      const expires = new Date(Date.now() + 86400_000);
      await ctx.store.saveConsent(alice.id, photos.id, ["openid", "profile"], new Date(), expires);
      await ctx.store.saveConsent(alice.id, notes.id, ["read"], new Date(), expires);
      await issue(alice, photos, "read");
      await issue(alice, photos, "write");
      // Trusted app: no consent, only tokens.
      const intranet = await issue(alice, trusted, "read");

      const consentUse = new Date("2030-01-02T03:04:05.000Z");
      const tokenUse = new Date("2030-02-03T04:05:06.000Z");
      await db.consent.updateMany({
        where: { userId: alice.id, applicationId: photos.id },
        data: { lastUsedAt: consentUse },
      });
      await db.accessToken.updateMany({
        where: { userId: alice.id, applicationId: photos.id },
        data: { lastUsedAt: tokenUse },
      });
      await db.consent.updateMany({
        where: { userId: alice.id, applicationId: notes.id },
        data: { lastUsedAt: consentUse },
      });

      const apps = await connectedApps(db, alice.id);
      expect(apps.map((app) => app.name)).toEqual(["Intranet", "Notes", "Photo Printer"]);
      const [intranetRow, notesRow, photosRow] = apps as [ConnectedApp, ConnectedApp, ConnectedApp];

      const photosConsent = await db.consent.findUniqueOrThrow({
        where: { userId_applicationId: { userId: alice.id, applicationId: photos.id } },
      });
      expect(photosRow).toEqual({
        applicationId: photos.id,
        name: "Photo Printer",
        logoUri: "https://photos.example.com/logo.png",
        homepageUri: "https://photos.example.com",
        trusted: false,
        scopes: ["openid", "profile", "read", "write"],
        firstAuthorizedAt: photosConsent.createdAt,
        lastUsedAt: tokenUse,
        consent: { grantedAt: photosConsent.createdAt, expiresAt: photosConsent.expiresAt },
        liveTokens: { accessTokens: 2, refreshTokens: 2 },
      });
      expect(notesRow).toMatchObject({
        scopes: ["read"],
        lastUsedAt: consentUse,
        liveTokens: { accessTokens: 0, refreshTokens: 0 },
      });
      expect(notesRow.consent).not.toBeNull();

      const intranetToken = await db.accessToken.findUniqueOrThrow({
        where: { tokenHash: hashCredential(intranet.access) },
      });
      expect(intranetRow).toMatchObject({
        trusted: true,
        consent: null,
        scopes: ["read"],
        firstAuthorizedAt: intranetToken.createdAt,
        lastUsedAt: null,
      });
      expect(intranetRow.liveTokens).toEqual({ accessTokens: 1, refreshTokens: 1 });

      expect(await connectedApps(db, carol.id)).toEqual([]);
      // Nothing returned carries a token value or hash.
      const text = JSON.stringify(apps);
      expect(text).not.toContain(intranet.access);
      expect(text).not.toContain(hashCredential(intranet.access));
    });

    it("ignores apps whose tokens are all revoked or expired and that hold no consent", async () => {
      const user = await person(`dora-${provider}@example.com`);
      const tokens = await issue(user, notes, "read");
      await db.accessToken.updateMany({
        where: { tokenHash: hashCredential(tokens.access) },
        data: { expiresAt: new Date(Date.now() - 1000) },
      });
      await db.refreshToken.updateMany({
        where: { tokenHash: hashCredential(tokens.refresh) },
        data: { revokedAt: new Date() },
      });
      expect(await connectedApps(db, user.id)).toEqual([]);
    });

    it("describes scopes in the consent screen's words and order, unknown ones by name, last", () => {
      expect(describeScopes(["api:legacy", "email", "openid"], builtInScopes)).toEqual([
        { name: "openid", description: "Confirm who you are with your account" },
        { name: "email", description: "See your email address" },
        { name: "api:legacy", description: "api:legacy" },
      ]);
    });
  });

  describe("revokeAccess", () => {
    it("deletes the consent and revokes exactly that user's tokens for that app; others keep working", async () => {
      const expires = new Date(Date.now() + 86400_000);
      await ctx.store.saveConsent(bob.id, photos.id, ["read"], new Date(), expires);
      await ctx.store.saveConsent(bob.id, notes.id, ["read"], new Date(), expires);
      await ctx.store.saveConsent(carol.id, photos.id, ["read"], new Date(), expires);
      const bobPhotos = await issue(bob, photos);
      const bobPhotosRotated = await issue(bob, photos);
      const rotatedOnce = await refresh(photos, bobPhotosRotated.refresh);
      const bobNotes = await issue(bob, notes);
      const carolPhotos = await issue(carol, photos);
      // A code issued but not yet exchanged must not survive either.
      await ctx.store.saveAuthorizationCode({
        codeHash: sha256("pending-code"),
        applicationId: photos.id,
        userId: bob.id,
        redirectUri: "https://photos.example.com/cb",
        redirectUriProvided: true,
        scope: "read",
        codeChallenge: null,
        codeChallengeMethod: null,
        nonce: null,
        authTime: new Date(),
        expiresAt: new Date(Date.now() + 60_000),
      });
      expect(await active(photos, bobPhotos.access)).toBe(true);
      const auditBefore = await db.auditEvent.count();

      const result = await revokeAccess(db, bob.id, photos.id, admin);
      expect(result).toEqual({
        ok: true,
        applicationId: photos.id,
        name: "Photo Printer",
        consentDeleted: true,
        // Two grants: 2 access tokens + 1 from the rotation; 2 live refresh tokens (the rotated one was already spent).
        revoked: { accessTokens: 3, refreshTokens: 2, authorizationCodes: 1 },
      });

      // Bob and Photo Printer: consent gone, every token dead, refresh refused, introspection inactive.
      expect(await db.consent.count({ where: { userId: bob.id, applicationId: photos.id } })).toBe(0);
      expect(await db.accessToken.count({ where: { userId: bob.id, applicationId: photos.id, revokedAt: null } })).toBe(
        0,
      );
      expect(
        await db.refreshToken.count({ where: { userId: bob.id, applicationId: photos.id, revokedAt: null } }),
      ).toBe(0);
      // The pending code is closed: it can no longer be exchanged.
      expect(
        await db.authorizationCode.count({ where: { userId: bob.id, applicationId: photos.id, consumedAt: null } }),
      ).toBe(0);
      expect(await refreshError(photos, bobPhotos.refresh)).toBe("invalid_grant");
      expect(await refreshError(photos, rotatedOnce)).toBe("invalid_grant");
      expect(await active(photos, bobPhotos.access)).toBe(false);
      expect(await active(photos, bobPhotos.refresh)).toBe(false);
      expect((await connectedApps(db, bob.id)).map((app) => app.name)).toEqual(["Notes"]);

      // Bob's other app and Carol's tokens for the same app are untouched.
      expect(await db.consent.count({ where: { userId: bob.id, applicationId: notes.id } })).toBe(1);
      expect(await db.consent.count({ where: { userId: carol.id, applicationId: photos.id } })).toBe(1);
      expect(await active(notes, bobNotes.access)).toBe(true);
      expect(await active(photos, carolPhotos.access)).toBe(true);
      expect(await refreshError(notes, bobNotes.refresh)).toBeNull();
      expect(await refreshError(photos, carolPhotos.refresh)).toBeNull();

      // One audit row, naming the app and the user, with no token value or hash in it.
      const rows = await db.auditEvent.findMany({ where: { action: "user.access_revoked" } });
      expect(await db.auditEvent.count()).toBe(auditBefore + 1);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        actorId: "admin-id",
        actorEmail: "admin@example.com",
        ip: "198.51.100.4",
        applicationId: photos.id,
        targetUserId: bob.id,
      });
      expect(JSON.parse(rows[0]!.details)).toEqual({
        applicationId: photos.id,
        name: "Photo Printer",
        consentDeleted: true,
        accessTokens: 3,
        refreshTokens: 2,
      });
      const text = JSON.stringify(rows);
      for (const secret of [bobPhotos.access, bobPhotos.refresh, photos.clientSecret]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(hashCredential(secret));
      }
    });

    it("revokes a trusted app that holds only tokens; a second revoke finds nothing and audits nothing", async () => {
      const user = await person(`erin-${provider}@example.com`);
      const tokens = await issue(user, trusted);
      const self: Actor = { kind: "user", id: user.id, email: user.email };
      const first = await revokeAccess(db, user.id, trusted.id, self);
      expect(first).toMatchObject({ ok: true, consentDeleted: false, revoked: { accessTokens: 1, refreshTokens: 1 } });
      expect(await refreshError(trusted, tokens.refresh)).toBe("invalid_grant");

      const audits = await db.auditEvent.count({ where: { action: "user.access_revoked", targetUserId: user.id } });
      expect(audits).toBe(1);
      expect(await revokeAccess(db, user.id, trusted.id, self)).toEqual({ ok: false, reason: "not_connected" });
      expect(await revokeAccess(db, user.id, "no-such-application", self)).toEqual({
        ok: false,
        reason: "not_connected",
      });
      expect(await db.auditEvent.count({ where: { action: "user.access_revoked", targetUserId: user.id } })).toBe(1);
    });
  });
});
