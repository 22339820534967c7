/**
 * Reading sessions: the check every signed-in request makes (one primary-key read, and a write at
 * most once a minute), and the list a user or an admin sees.
 */
import type { Db } from "../db/client.ts";
import { findSession } from "../db/session-reader.ts";
import { describeUserAgent } from "./user-agent.ts";
import {
  isSessionLive,
  isSessionSecret,
  sessionIdOf,
  touchDue,
  touchIntervalMs,
  type SessionLifetimes,
} from "./policy.ts";

interface SignedInUser {
  id: string;
  email: string;
  name: string;
  role: "ADMIN" | "USER";
}

export interface LiveSession {
  /** The row's id (the digest), never the cookie's secret. */
  id: string;
  user: SignedInUser;
  /** When this session signed in (OpenID Connect auth_time). */
  signedInAt: Date;
  expiresAt: Date;
}

/**
 * The live session a cookie's secret names, with its user, or null: unknown, revoked, past its
 * absolute lifetime, idle too long, or its user disabled or deleted. Records the use when
 * lastSeenAt is older than the touch interval; the conditional update means concurrent requests
 * write once, and never revive a session revoked in between.
 */
export async function resolveSession(
  db: Db,
  secret: unknown,
  lifetimes: SessionLifetimes,
  now: Date = new Date(),
): Promise<LiveSession | null> {
  if (!isSessionSecret(secret)) return null;
  const id = sessionIdOf(secret);
  const row = await findSession(db, id);
  if (!row || row.user.disabled || !isSessionLive(row, lifetimes, now)) return null;
  if (touchDue(row.lastSeenAt, lifetimes, now)) {
    await db.session.updateMany({
      where: { id, revokedAt: null, lastSeenAt: { lte: new Date(now.getTime() - touchIntervalMs(lifetimes)) } },
      data: { lastSeenAt: now },
    });
  }
  const { disabled: _disabled, ...user } = row.user;
  return { id: row.id, user, signedInAt: row.createdAt, expiresAt: row.expiresAt };
}

/** Where a session is live, for queries: not revoked, not expired, not idle. */
export function liveSessionWhere(lifetimes: SessionLifetimes, now: Date) {
  return {
    revokedAt: null,
    expiresAt: { gt: now },
    lastSeenAt: { gt: new Date(now.getTime() - lifetimes.idleTimeout * 1000) },
  };
}

export interface SessionListRow {
  id: string;
  /** "Firefox on Windows". */
  device: string;
  userAgent: string;
  ip: string | null;
  signedInAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

/** A user's live sessions, newest sign-in first. */
export async function listSessions(
  db: Db,
  userId: string,
  lifetimes: SessionLifetimes,
  now: Date = new Date(),
): Promise<SessionListRow[]> {
  const rows = await db.session.findMany({
    where: { userId, ...liveSessionWhere(lifetimes, now) },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    // A person has a handful; a cap keeps a scripted flood of sign-ins from making the page huge.
    take: 200,
    select: { id: true, userAgent: true, ip: true, createdAt: true, lastSeenAt: true, expiresAt: true },
  });
  return rows.map((row) => ({
    id: row.id,
    device: describeUserAgent(row.userAgent),
    userAgent: row.userAgent,
    ip: row.ip,
    signedInAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    expiresAt: row.expiresAt,
  }));
}
