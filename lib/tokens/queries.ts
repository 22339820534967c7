/** What an application holds, for admins: live tokens and consents, never the token values. */
import type { Db } from "../db/client.ts";
import type { Page } from "../applications/queries.ts";

export interface TokenCounts {
  accessTokens: number;
  refreshTokens: number;
  consents: number;
}

export interface TokenRow {
  id: string;
  user: { id: string; email: string } | null;
  scope: string;
  grantType: string | null;
  issuedAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
}

export interface ConsentRow {
  id: string;
  user: { id: string; email: string };
  scope: string;
  grantedAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
}

export function liveAccessTokens(applicationId: string, now: Date) {
  return { applicationId, revokedAt: null, expiresAt: { gt: now } };
}

export function liveRefreshTokens(applicationId: string, now: Date) {
  return { applicationId, revokedAt: null, rotatedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}

function liveConsents(applicationId: string, now: Date) {
  return { applicationId, expiresAt: { gt: now } };
}

export async function tokenCounts(db: Db, applicationId: string, now = new Date()): Promise<TokenCounts> {
  const [accessTokens, refreshTokens, consents] = await Promise.all([
    db.accessToken.count({ where: liveAccessTokens(applicationId, now) }),
    db.refreshToken.count({ where: liveRefreshTokens(applicationId, now) }),
    db.consent.count({ where: liveConsents(applicationId, now) }),
  ]);
  return { accessTokens, refreshTokens, consents };
}

const userSelect = { select: { id: true, email: true } } as const;

function paging(total: number, page: number | undefined, pageSize: number) {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(page ?? 1, 1), pageCount);
  return { pageCount, current, skip: (current - 1) * pageSize };
}

export async function listAccessTokens(db: Db, applicationId: string, page?: number, pageSize = 20, now = new Date()): Promise<Page<TokenRow>> {
  const where = liveAccessTokens(applicationId, now);
  const total = await db.accessToken.count({ where });
  const { pageCount, current, skip } = paging(total, page, pageSize);
  const rows = await db.accessToken.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip,
    take: pageSize,
    select: { id: true, scope: true, grantType: true, createdAt: true, expiresAt: true, lastUsedAt: true, user: userSelect },
  });
  return {
    items: rows.map((row) => ({ id: row.id, user: row.user, scope: row.scope, grantType: row.grantType, issuedAt: row.createdAt, expiresAt: row.expiresAt, lastUsedAt: row.lastUsedAt })),
    total,
    page: current,
    pageSize,
    pageCount,
  };
}

export async function listRefreshTokens(db: Db, applicationId: string, page?: number, pageSize = 20, now = new Date()): Promise<Page<TokenRow>> {
  const where = liveRefreshTokens(applicationId, now);
  const total = await db.refreshToken.count({ where });
  const { pageCount, current, skip } = paging(total, page, pageSize);
  const rows = await db.refreshToken.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip,
    take: pageSize,
    select: { id: true, scope: true, createdAt: true, expiresAt: true, lastUsedAt: true, user: userSelect },
  });
  return {
    items: rows.map((row) => ({ id: row.id, user: row.user, scope: row.scope, grantType: null, issuedAt: row.createdAt, expiresAt: row.expiresAt, lastUsedAt: row.lastUsedAt })),
    total,
    page: current,
    pageSize,
    pageCount,
  };
}

export async function listConsents(db: Db, applicationId: string, page?: number, pageSize = 20, now = new Date()): Promise<Page<ConsentRow>> {
  const where = liveConsents(applicationId, now);
  const total = await db.consent.count({ where });
  const { pageCount, current, skip } = paging(total, page, pageSize);
  const rows = await db.consent.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    skip,
    take: pageSize,
    select: { id: true, scope: true, createdAt: true, expiresAt: true, lastUsedAt: true, user: userSelect },
  });
  return {
    items: rows.map((row) => ({ id: row.id, user: row.user, scope: row.scope, grantedAt: row.createdAt, expiresAt: row.expiresAt, lastUsedAt: row.lastUsedAt })),
    total,
    page: current,
    pageSize,
    pageCount,
  };
}
