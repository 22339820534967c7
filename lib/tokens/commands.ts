/** Admins revoking an application's tokens, each revocation audited in the same transaction. */
import { recordAudit, type Actor } from "../audit/record.ts";
import type { Db } from "../db/client.ts";
import { closeCodes, revokeTokenSet } from "../db/revoke-tokens.ts";
import { liveAccessTokens, liveRefreshTokens } from "./queries.ts";

export type TokenKind = "access_token" | "refresh_token";

/**
 * Revokes one token. A refresh token takes its whole family with it (every rotation and the access
 * tokens issued with them), as when its client revokes it (RFC 7009 §2.1). Returns false when the
 * token does not belong to the application or was already dead.
 */
export async function revokeToken(
  db: Db,
  applicationId: string,
  kind: TokenKind,
  tokenId: string,
  actor: Actor,
): Promise<boolean> {
  const now = new Date();
  return db.$transaction(async (tx) => {
    const token =
      kind === "access_token"
        ? await tx.accessToken.findFirst({
            where: { id: tokenId, applicationId, revokedAt: null },
            select: { id: true, familyId: true, user: { select: { email: true } } },
          })
        : await tx.refreshToken.findFirst({
            where: { id: tokenId, applicationId, revokedAt: null },
            select: { id: true, familyId: true, user: { select: { email: true } } },
          });
    if (!token) return false;
    if (kind === "access_token") {
      await tx.accessToken.updateMany({ where: { id: token.id, revokedAt: null }, data: { revokedAt: now } });
    } else {
      await tx.refreshToken.updateMany({
        where: { familyId: token.familyId!, revokedAt: null },
        data: { revokedAt: now },
      });
      await tx.accessToken.updateMany({
        where: { familyId: token.familyId!, revokedAt: null },
        data: { revokedAt: now },
      });
    }
    await recordAudit(tx, actor, {
      action: "token.revoked",
      applicationId,
      details: { kind, tokenId: token.id, user: token.user?.email ?? null },
    });
    return true;
  });
}

/**
 * Revokes every access and refresh token of an application (rotated ones too, so no old token can
 * come back). Returns how many were live, as the confirmation dialog counted them.
 */
export async function revokeAllTokens(
  db: Db,
  applicationId: string,
  actor: Actor,
): Promise<{ accessTokens: number; refreshTokens: number }> {
  const now = new Date();
  return db.$transaction(async (tx) => {
    const accessTokens = await tx.accessToken.count({ where: liveAccessTokens(applicationId, now) });
    const refreshTokens = await tx.refreshToken.count({ where: liveRefreshTokens(applicationId, now) });
    // Codes not yet exchanged would bring tokens back: close them (after any exchange in flight).
    await closeCodes(tx, { applicationId }, now);
    await revokeTokenSet(tx, { applicationId }, now);
    await recordAudit(tx, actor, {
      action: "tokens.revoked_all",
      applicationId,
      details: { accessTokens, refreshTokens },
    });
    return { accessTokens, refreshTokens };
  });
}
