/** What an application holds, for admins: live tokens and consents, never the token values. */
import type { Db } from "../db/client.ts";
import { paginate, type Page } from "../pagination.ts";

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
const newestFirst = [{ createdAt: "desc" as const }, { id: "desc" as const }];

export async function listAccessTokens(
  db: Db,
  applicationId: string,
  page?: number,
  pageSize = 20,
  now = new Date(),
): Promise<Page<TokenRow>> {
  const where = liveAccessTokens(applicationId, now);
  const rows = await paginate(
    () => db.accessToken.count({ where }),
    (window) =>
      db.accessToken.findMany({
        where,
        orderBy: newestFirst,
        ...window,
        select: {
          id: true,
          scope: true,
          grantType: true,
          createdAt: true,
          expiresAt: true,
          lastUsedAt: true,
          user: userSelect,
        },
      }),
    page,
    pageSize,
  );
  return { ...rows, items: rows.items.map(({ createdAt, ...row }) => ({ ...row, issuedAt: createdAt })) };
}

export async function listRefreshTokens(
  db: Db,
  applicationId: string,
  page?: number,
  pageSize = 20,
  now = new Date(),
): Promise<Page<TokenRow>> {
  const where = liveRefreshTokens(applicationId, now);
  const rows = await paginate(
    () => db.refreshToken.count({ where }),
    (window) =>
      db.refreshToken.findMany({
        where,
        orderBy: newestFirst,
        ...window,
        select: { id: true, scope: true, createdAt: true, expiresAt: true, lastUsedAt: true, user: userSelect },
      }),
    page,
    pageSize,
  );
  return {
    ...rows,
    items: rows.items.map(({ createdAt, ...row }) => ({ ...row, grantType: null, issuedAt: createdAt })),
  };
}

export async function listConsents(
  db: Db,
  applicationId: string,
  page?: number,
  pageSize = 20,
  now = new Date(),
): Promise<Page<ConsentRow>> {
  const where = liveConsents(applicationId, now);
  const rows = await paginate(
    () => db.consent.count({ where }),
    (window) =>
      db.consent.findMany({
        where,
        orderBy: newestFirst,
        ...window,
        select: { id: true, scope: true, createdAt: true, expiresAt: true, lastUsedAt: true, user: userSelect },
      }),
    page,
    pageSize,
  );
  return { ...rows, items: rows.items.map(({ createdAt, ...row }) => ({ ...row, grantedAt: createdAt })) };
}
