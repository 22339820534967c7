/**
 * Starting and ending browser sessions. Ending one marks it revoked (clear-tokens deletes it later),
 * so the cookie that names it is refused by the next request, whoever holds a copy. Endings a
 * person asks for are audited in the same transaction; a sign-out is audited as `auth.signed_out`.
 */
import { recordAudit, type Actor, type Transaction } from "../audit/record.ts";
import type { Db } from "../db/client.ts";
import { generateSessionSecret, isSessionSecret, sessionIdOf, type SessionLifetimes } from "./policy.ts";
import { liveSessionWhere } from "./queries.ts";

export interface SessionOrigin {
  userAgent: string | null;
  ip: string | null;
}

/** Control characters (PostgreSQL cannot store NUL) and overlong headers are not worth keeping. */
function printable(text: string | null, max: number): string {
  return (text ?? "").replace(/[\u0000-\u001f\u007f]/g, "").slice(0, max);
}

/**
 * A new session for a user who just proved who they are. Returns the secret for the cookie; only
 * its digest is stored.
 */
export async function startSession(
  db: Db,
  userId: string,
  origin: SessionOrigin,
  lifetimes: SessionLifetimes,
  now: Date = new Date(),
): Promise<{ id: string; secret: string }> {
  const secret = generateSessionSecret();
  const id = sessionIdOf(secret);
  await db.session.create({
    data: {
      id,
      userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + lifetimes.maxAge * 1000),
      userAgent: printable(origin.userAgent, 512),
      ip: printable(origin.ip, 64) || null,
    },
  });
  return { id, secret };
}

/**
 * Signing out: revokes the session a cookie's secret names. Audited as the user's own sign-out when
 * it ended a session that was not already revoked; `ip` is the request's address.
 */
export async function signOutSession(
  db: Db,
  secret: unknown,
  ip: string | null,
  now: Date = new Date(),
): Promise<boolean> {
  if (!isSessionSecret(secret)) return false;
  const id = sessionIdOf(secret);
  return db.$transaction(async (tx) => {
    const session = await tx.session.findUnique({
      where: { id },
      select: { revokedAt: true, user: { select: { id: true, email: true } } },
    });
    if (!session || session.revokedAt) return false;
    const { count } = await tx.session.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } });
    if (count === 0) return false;
    const { user } = session;
    await recordAudit(
      tx,
      { kind: "user", id: user.id, email: user.email, ip },
      { action: "auth.signed_out", targetUserId: user.id, details: {} },
    );
    return true;
  });
}

/**
 * Inside a transaction: revokes every session of a user (a password change, disabling the
 * account). Returns how many were not revoked yet.
 */
export async function revokeUserSessions(tx: Transaction, userId: string, now: Date): Promise<number> {
  const { count } = await tx.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
  return count;
}

export type SessionsToEnd =
  /** One session of the user's (by its id, the digest shown on /account). */
  | { kind: "one"; sessionId: string }
  /** Every session but the one the request came with. */
  | { kind: "others"; currentSessionId: string }
  /** Every session (an admin). */
  | { kind: "all" };

/**
 * Ends live sessions of a user and audits it as `user.sessions_ended` (by `actor`, about the user)
 * when any was live. Returns how many live sessions ended; 0 when there were none (nothing audited).
 */
export async function endSessions(
  db: Db,
  userId: string,
  which: SessionsToEnd,
  actor: Actor,
  lifetimes: SessionLifetimes,
  now: Date = new Date(),
): Promise<number> {
  const scope =
    which.kind === "one"
      ? { id: which.sessionId }
      : which.kind === "others"
        ? { id: { not: which.currentSessionId } }
        : {};
  return db.$transaction(async (tx) => {
    const live = { userId, ...scope, ...liveSessionWhere(lifetimes, now) };
    const ended = await tx.session.findMany({ where: live, select: { id: true } });
    if (ended.length === 0) return 0;
    // The ids read above, still unrevoked: a concurrent ending counts once, in whichever commits first.
    const { count } = await tx.session.updateMany({
      where: { userId, id: { in: ended.map((row) => row.id) }, revokedAt: null },
      data: { revokedAt: now },
    });
    if (count === 0) return 0;
    const user = await tx.user.findUnique({ where: { id: userId }, select: { email: true } });
    await recordAudit(tx, actor, {
      action: "user.sessions_ended",
      targetUserId: userId,
      details: { email: user?.email ?? null, which: which.kind, sessions: count },
    });
    return count;
  });
}
