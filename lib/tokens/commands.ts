/** Admins revoking an application's tokens, each revocation audited in the same transaction. */
import { recordAudit, type Actor } from "../audit/record.ts";
import type { Db } from "../db/client.ts";
import { closeCodes, revokeTokenSet } from "../db/revoke-tokens.ts";
import { liveAccessTokens, liveRefreshTokens } from "./queries.ts";

export type TokenKind = "access_token" | "refresh_token";

export function isTokenKind(value: unknown): value is TokenKind {
  return value === "access_token" || value === "refresh_token";
}

export type TokenRevocation = { ok: true } | { ok: false; reason: "not_found"; message: string };

export const tokenNotFound = {
  ok: false,
  reason: "not_found",
  message: "That token was already revoked or no longer exists.",
} as const;

export const applicationNotFound = {
  ok: false,
  reason: "not_found",
  message: "This application no longer exists.",
} as const;

/**
 * Revokes one token. A refresh token takes its whole family with it (every rotation and the access
 * tokens issued with them), as when its client revokes it (RFC 7009 §2.1). Not found, and nothing
 * audited, when the token does not belong to the application or was already dead.
 */
export async function revokeToken(
  db: Db,
  applicationId: string,
  kind: TokenKind,
  tokenId: string,
  actor: Actor,
): Promise<TokenRevocation> {
  const now = new Date();
  return db.$transaction(async (tx) => {
    const select = {
      id: true,
      familyId: true,
      user: { select: { email: true } },
      application: { select: { name: true } },
    } as const;
    const where = { id: tokenId, applicationId, revokedAt: null };
    const token =
      kind === "access_token"
        ? await tx.accessToken.findFirst({ where, select })
        : await tx.refreshToken.findFirst({ where, select });
    if (!token) return tokenNotFound;
    if (kind === "access_token") {
      await tx.accessToken.updateMany({ where: { id: token.id, revokedAt: null }, data: { revokedAt: now } });
    } else {
      await revokeTokenSet(tx, { familyId: token.familyId! }, now);
    }
    await recordAudit(tx, actor, {
      action: "token.revoked",
      applicationId,
      details: { name: token.application.name, kind, tokenId: token.id, user: token.user?.email ?? null },
    });
    return { ok: true } as const;
  });
}

export type AllTokensRevocation =
  { ok: true; accessTokens: number; refreshTokens: number } | { ok: false; reason: "not_found"; message: string };

/**
 * Revokes every access and refresh token of an application (rotated ones too, so no old token can
 * come back). Returns how many were live, as the confirmation dialog counted them; an application
 * that does not exist is reported as such, with nothing audited.
 */
export async function revokeAllTokens(db: Db, applicationId: string, actor: Actor): Promise<AllTokensRevocation> {
  const now = new Date();
  return db.$transaction(async (tx) => {
    const application = await tx.application.findUnique({ where: { id: applicationId }, select: { name: true } });
    if (!application) return applicationNotFound;
    const accessTokens = await tx.accessToken.count({ where: liveAccessTokens(applicationId, now) });
    const refreshTokens = await tx.refreshToken.count({ where: liveRefreshTokens(applicationId, now) });
    // Codes not yet exchanged would bring tokens back: close them (after any exchange in flight).
    await closeCodes(tx, { applicationId }, now);
    await revokeTokenSet(tx, { applicationId }, now);
    await recordAudit(tx, actor, {
      action: "tokens.revoked_all",
      applicationId,
      details: { name: application.name, accessTokens, refreshTokens },
    });
    return { ok: true, accessTokens, refreshTokens } as const;
  });
}
