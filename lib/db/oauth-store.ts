/**
 * The protocol's storage (lib/oauth/store.ts) on Prisma. Transactions live here: a code is redeemed
 * and a refresh token rotated by one conditional UPDATE whose row count decides the winner, in the
 * same transaction as the inserts of the tokens it pays for.
 */
import { applicationInclude, toApplication, type ApplicationRow } from "../applications/model.ts";
import type {
  AccessTokenRecord,
  ClientRecord,
  NewTokens,
  OAuthStore,
  RefreshTokenRecord,
  UserRecord,
} from "../oauth/store.ts";
import { formatScope } from "../oauth/scope.ts";
import { authenticate } from "../users/commands.ts";
import type { Db } from "./client.ts";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

async function insertTokens(tx: Tx | Db, tokens: NewTokens): Promise<void> {
  await tx.accessToken.create({ data: tokens.access });
  if (tokens.refresh) await tx.refreshToken.create({ data: tokens.refresh });
}

const userSelect = { id: true, email: true, name: true, disabled: true } as const;

/** Writes of "last used" are skipped when the previous one is this recent, to spare the hot path. */
const lastUsedResolutionMs = 60_000;

export function prismaOAuthStore(db: Db): OAuthStore {
  return {
    async findClient(clientId) {
      const row = await db.application.findUnique({
        where: { clientId },
        include: { ...applicationInclude, owner: false },
      });
      if (!row) return null;
      const app = toApplication({ ...(row as unknown as ApplicationRow), owner: null });
      const client: ClientRecord = {
        id: app.id,
        clientId: app.clientId,
        name: app.name,
        clientType: app.clientType,
        secretHash: row.clientSecretHash,
        grantTypes: app.grantTypes,
        redirectUris: app.redirectUris,
        postLogoutRedirectUris: app.postLogoutRedirectUris,
        allowedOrigins: app.allowedOrigins,
        allowedScopes: app.allowedScopes,
        skipAuthorization: app.skipAuthorization,
        algorithm: app.algorithm,
        pkceRequired: app.pkceRequired,
        introspectAnyToken: app.introspectAnyToken,
        accessTokenLifetime: app.accessTokenLifetime,
        refreshTokenLifetime: app.refreshTokenLifetime,
        logoUri: app.logoUri,
        homepageUri: app.homepageUri,
        policyUri: app.policyUri,
        tosUri: app.tosUri,
      };
      return client;
    },

    async isRegisteredOrigin(origin) {
      return (await db.applicationUri.findFirst({ where: { kind: "CORS_ORIGIN", uri: origin }, select: { id: true } })) !== null;
    },

    findUser(userId): Promise<UserRecord | null> {
      return db.user.findUnique({ where: { id: userId }, select: userSelect });
    },

    async authenticateUser(username, password) {
      const user = await authenticate(db, username, password);
      return user ? { id: user.id, email: user.email, name: user.name, disabled: false } : null;
    },

    async saveAuthorizationCode(code) {
      await db.authorizationCode.create({ data: code });
    },

    async findAuthorizationCode(codeHash) {
      const row = await db.authorizationCode.findUnique({ where: { codeHash } });
      return row ? { ...row, codeChallengeMethod: row.codeChallengeMethod === "S256" ? "S256" : null } : null;
    },

    redeemAuthorizationCode(codeId, now, tokens) {
      return db.$transaction(async (tx) => {
        const { count } = await tx.authorizationCode.updateMany({
          where: { id: codeId, consumedAt: null },
          data: { consumedAt: now },
        });
        if (count !== 1) return false;
        await insertTokens(tx, tokens);
        return true;
      });
    },

    async revokeTokensFromCode(codeId, now) {
      await db.$transaction([
        db.accessToken.updateMany({ where: { authorizationCodeId: codeId, revokedAt: null }, data: { revokedAt: now } }),
        db.refreshToken.updateMany({ where: { authorizationCodeId: codeId, revokedAt: null }, data: { revokedAt: now } }),
      ]);
    },

    async issueTokens(tokens) {
      if (!tokens.refresh) {
        await db.accessToken.create({ data: tokens.access });
        return;
      }
      await db.$transaction((tx) => insertTokens(tx, tokens));
    },

    async findRefreshToken(tokenHash): Promise<RefreshTokenRecord | null> {
      const row = await db.refreshToken.findUnique({
        where: { tokenHash },
        select: {
          id: true,
          tokenHash: true,
          applicationId: true,
          userId: true,
          scope: true,
          familyId: true,
          authorizationCodeId: true,
          authTime: true,
          expiresAt: true,
          rotatedAt: true,
          revokedAt: true,
          createdAt: true,
          application: { select: { clientId: true } },
        },
      });
      if (!row) return null;
      const { application, ...token } = row;
      return { ...token, clientId: application.clientId };
    },

    rotateRefreshToken(tokenId, now, graceSeconds, tokens) {
      return db.$transaction(async (tx) => {
        const graceStart = new Date(now.getTime() - graceSeconds * 1000);
        const { count } = await tx.refreshToken.updateMany({
          where: {
            id: tokenId,
            revokedAt: null,
            OR: graceSeconds > 0 ? [{ rotatedAt: null }, { rotatedAt: { gte: graceStart } }] : [{ rotatedAt: null }],
          },
          data: { lastUsedAt: now },
        });
        if (count !== 1) return false;
        // Keep the first rotation's time, so the grace period runs from it.
        await tx.refreshToken.updateMany({ where: { id: tokenId, rotatedAt: null }, data: { rotatedAt: now } });
        await insertTokens(tx, tokens);
        return true;
      });
    },

    async revokeFamily(familyId, now) {
      await db.$transaction([
        db.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now } }),
        db.accessToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now } }),
      ]);
    },

    async findAccessToken(tokenHash): Promise<AccessTokenRecord | null> {
      const row = await db.accessToken.findUnique({
        where: { tokenHash },
        select: {
          id: true,
          applicationId: true,
          userId: true,
          scope: true,
          grantType: true,
          familyId: true,
          authTime: true,
          expiresAt: true,
          revokedAt: true,
          createdAt: true,
          application: { select: { clientId: true } },
        },
      });
      if (!row) return null;
      const { application, ...token } = row;
      return { ...token, clientId: application.clientId };
    },

    async revokeAccessToken(tokenId, now) {
      await db.accessToken.updateMany({ where: { id: tokenId, revokedAt: null }, data: { revokedAt: now } });
    },

    async noteAccessTokenUse(tokenId, now) {
      const stale = new Date(now.getTime() - lastUsedResolutionMs);
      await db.accessToken.updateMany({
        where: { id: tokenId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] },
        data: { lastUsedAt: now },
      });
    },

    async findConsent(userId, applicationId) {
      const row = await db.consent.findUnique({
        where: { userId_applicationId: { userId, applicationId } },
        select: { scope: true, expiresAt: true },
      });
      return row ? { scope: row.scope === "" ? [] : row.scope.split(" "), expiresAt: row.expiresAt } : null;
    },

    async saveConsent(userId, applicationId, scopes, expiresAt) {
      await db.$transaction(async (tx) => {
        const existing = await tx.consent.findUnique({ where: { userId_applicationId: { userId, applicationId } } });
        // An expired consent is replaced, not extended: the user approved only what they see now.
        const earlier = existing && existing.expiresAt > new Date() && existing.scope !== "" ? existing.scope.split(" ") : [];
        const scope = formatScope([...earlier, ...scopes]);
        await tx.consent.upsert({
          where: { userId_applicationId: { userId, applicationId } },
          create: { userId, applicationId, scope, expiresAt, lastUsedAt: new Date() },
          update: { scope, expiresAt, lastUsedAt: new Date() },
        });
      });
    },

    async noteConsentUse(userId, applicationId, now) {
      await db.consent.updateMany({ where: { userId, applicationId }, data: { lastUsedAt: now } });
    },

    listSigningKeys() {
      return db.signingKey.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    },

    async saveSigningKey(key) {
      await db.signingKey.create({ data: key });
    },
  };
}
