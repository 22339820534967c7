/**
 * Taking an application's access away from a user, as the user (their account page) or an admin
 * does it. Everything happens in one transaction with its audit row: once it commits, the app's next
 * refresh, introspection or userinfo call fails, and it must ask the user again.
 */
import { recordAudit, type Actor, type Transaction } from "../audit/record.ts";
import type { Db } from "../db/client.ts";
import { closeCodes, revokeTokenSet } from "../db/revoke-tokens.ts";
import { liveAccessTokenWhere, liveRefreshTokenWhere } from "./queries.ts";

export interface RevokedTokens {
  /** Tokens that were still usable; already-dead ones are marked revoked too but not counted. */
  accessTokens: number;
  refreshTokens: number;
  /** Authorization codes issued but not yet exchanged, which are closed so they cannot be. */
  authorizationCodes: number;
}

/**
 * Inside a transaction: revokes every access and refresh token of a user (for one application, or
 * all of them), rotated and expired ones included so none can come back, and closes the codes
 * not yet exchanged.
 */
export async function revokeUserTokens(
  tx: Transaction,
  target: { userId: string; applicationId?: string },
  now: Date,
): Promise<RevokedTokens> {
  const where = { userId: target.userId, ...(target.applicationId ? { applicationId: target.applicationId } : {}) };
  // Codes first: this waits for an exchange in flight, whose tokens the next steps then see.
  const authorizationCodes = await closeCodes(tx, where, now);
  const accessTokens = await tx.accessToken.count({ where: { ...where, ...liveAccessTokenWhere(now) } });
  const refreshTokens = await tx.refreshToken.count({ where: { ...where, ...liveRefreshTokenWhere(now) } });
  await revokeTokenSet(tx, where, now);
  return { accessTokens, refreshTokens, authorizationCodes };
}

export type AccessRevocation =
  | { ok: true; applicationId: string; name: string; consentDeleted: boolean; revoked: RevokedTokens }
  | { ok: false; reason: "not_connected" };

/**
 * Deletes the user's consent for an application and revokes every token and pending code of that
 * user for it. Other users and other applications are untouched. When there was nothing to take
 * away (no consent, no live token, no pending code) nothing is audited and `not_connected` is returned.
 */
export async function revokeAccess(
  db: Db,
  userId: string,
  applicationId: string,
  actor: Actor,
  now = new Date(),
): Promise<AccessRevocation> {
  return db.$transaction(async (tx) => {
    const application = await tx.application.findUnique({
      where: { id: applicationId },
      select: { id: true, name: true },
    });
    if (!application) return { ok: false, reason: "not_connected" } as const;
    const consent = await tx.consent.deleteMany({ where: { userId, applicationId } });
    const revoked = await revokeUserTokens(tx, { userId, applicationId }, now);
    const consentDeleted = consent.count > 0;
    if (!consentDeleted && revoked.accessTokens + revoked.refreshTokens + revoked.authorizationCodes === 0) {
      return { ok: false, reason: "not_connected" } as const;
    }
    await recordAudit(tx, actor, {
      action: "user.access_revoked",
      applicationId,
      targetUserId: userId,
      details: {
        applicationId,
        name: application.name,
        consentDeleted,
        accessTokens: revoked.accessTokens,
        refreshTokens: revoked.refreshTokens,
      },
    });
    return { ok: true, applicationId, name: application.name, consentDeleted, revoked } as const;
  });
}
