/**
 * What a user has let applications do: the apps they approved (a Consent row) or that still hold
 * live tokens for them (trusted apps skip consent, so tokens are their only trace). Read by the
 * user's own account page and by admins looking at a user. Never returns token values or hashes.
 */
import type { Db } from "../db/client.ts";
import type { ScopeCatalogue } from "../oauth/scope.ts";

export interface ConnectedApp {
  applicationId: string;
  name: string;
  logoUri: string | null;
  homepageUri: string | null;
  /** Skips the consent screen (an admin trusts it), so having no consent is expected. */
  trusted: boolean;
  /** What the app may do now: the consented scopes plus those of its live tokens, sorted. */
  scopes: string[];
  /** The consent's creation; without a consent, the oldest unrevoked token's issue time. */
  firstAuthorizedAt: Date;
  /** The latest use of the consent or of any token of this user for this app; null if never used. */
  lastUsedAt: Date | null;
  /**
   * The remembered approval, if any: trusted apps have none, nor has an app whose tokens came
   * without the consent screen (the password grant) or outlived their consent.
   */
  consent: { grantedAt: Date; expiresAt: Date } | null;
  /** Tokens that would still be accepted (not revoked, rotated or expired). */
  liveTokens: { accessTokens: number; refreshTokens: number };
}

export function liveAccessTokenWhere(now: Date) {
  return { revokedAt: null, expiresAt: { gt: now } };
}

export function liveRefreshTokenWhere(now: Date) {
  return { revokedAt: null, rotatedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
}

/** liveAccessTokenWhere's rule, for rows already read. */
function isLiveAccessToken(token: { revokedAt: Date | null; expiresAt: Date }, now: Date): boolean {
  return token.revokedAt === null && token.expiresAt > now;
}

/** liveRefreshTokenWhere's rule, for rows already read. */
function isLiveRefreshToken(
  token: { revokedAt: Date | null; rotatedAt: Date | null; expiresAt: Date | null },
  now: Date,
): boolean {
  return token.revokedAt === null && token.rotatedAt === null && (token.expiresAt === null || token.expiresAt > now);
}

const later = (a: Date | null | undefined, b: Date | null | undefined): Date | null => {
  if (!a) return b ?? null;
  if (!b) return a;
  return a > b ? a : b;
};
const earlier = (a: Date | null | undefined, b: Date | null | undefined): Date | null => {
  if (!a) return b ?? null;
  if (!b) return a;
  return a < b ? a : b;
};

interface Accumulator {
  scopes: Set<string>;
  first: Date | null;
  lastUsed: Date | null;
  consent: ConnectedApp["consent"];
  accessTokens: number;
  refreshTokens: number;
}

/** Every application connected to a user, by name. */
export async function connectedApps(db: Db, userId: string, now = new Date()): Promise<ConnectedApp[]> {
  // One read of the user's tokens per table, folded here: four grouped queries each walked every
  // token the user ever had (docs/performance.md, the dashboard at scale).
  const tokenColumns = {
    applicationId: true,
    scope: true,
    revokedAt: true,
    expiresAt: true,
    lastUsedAt: true,
    createdAt: true,
  };
  const [consents, accessTokens, refreshTokens] = await Promise.all([
    db.consent.findMany({
      where: { userId },
      select: { applicationId: true, scope: true, createdAt: true, expiresAt: true, lastUsedAt: true },
    }),
    db.accessToken.findMany({ where: { userId }, select: tokenColumns }),
    db.refreshToken.findMany({ where: { userId }, select: { ...tokenColumns, rotatedAt: true } }),
  ]);

  const byApp = new Map<string, Accumulator>();
  const entry = (applicationId: string) => {
    let found = byApp.get(applicationId);
    if (!found) {
      found = { scopes: new Set(), first: null, lastUsed: null, consent: null, accessTokens: 0, refreshTokens: 0 };
      byApp.set(applicationId, found);
    }
    return found;
  };
  const addScopes = (target: Accumulator, scope: string) => {
    for (const name of scope.split(" ")) if (name) target.scopes.add(name);
  };

  // Only consents and live tokens make an app "connected"; usage history just annotates them.
  for (const consent of consents) {
    const app = entry(consent.applicationId);
    addScopes(app, consent.scope);
    app.consent = { grantedAt: consent.createdAt, expiresAt: consent.expiresAt };
    app.lastUsed = later(app.lastUsed, consent.lastUsedAt);
  }
  for (const token of accessTokens) {
    if (!isLiveAccessToken(token, now)) continue;
    const app = entry(token.applicationId);
    addScopes(app, token.scope);
    app.accessTokens += 1;
  }
  for (const token of refreshTokens) {
    if (!isLiveRefreshToken(token, now)) continue;
    const app = entry(token.applicationId);
    addScopes(app, token.scope);
    app.refreshTokens += 1;
  }
  for (const token of [...accessTokens, ...refreshTokens]) {
    const app = byApp.get(token.applicationId);
    if (!app) continue;
    app.lastUsed = later(app.lastUsed, token.lastUsedAt);
    if (token.revokedAt === null) app.first = earlier(app.first, token.createdAt);
  }
  if (byApp.size === 0) return [];

  const applications = await db.application.findMany({
    where: { id: { in: [...byApp.keys()] } },
    select: { id: true, name: true, logoUri: true, homepageUri: true, skipAuthorization: true },
  });
  return applications
    .map((application): ConnectedApp => {
      const app = byApp.get(application.id)!;
      return {
        applicationId: application.id,
        name: application.name,
        logoUri: application.logoUri,
        homepageUri: application.homepageUri,
        trusted: application.skipAuthorization,
        scopes: [...app.scopes].sort(),
        // A consent marks when the user first said yes; without one, the oldest token still standing.
        firstAuthorizedAt: app.consent?.grantedAt ?? app.first ?? now,
        lastUsedAt: app.lastUsed,
        consent: app.consent,
        liveTokens: { accessTokens: app.accessTokens, refreshTokens: app.refreshTokens },
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name, "en") || a.applicationId.localeCompare(b.applicationId));
}

/**
 * Scopes in the words the consent screen used, in the catalogue's order (who you are first); a
 * scope no longer in the catalogue shows its name, after the others.
 */
export function describeScopes(
  scopes: readonly string[],
  catalogue: ScopeCatalogue,
): { name: string; description: string }[] {
  const order = Object.keys(catalogue);
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return [...scopes]
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((name) => ({ name, description: catalogue[name]?.description ?? name }));
}

/**
 * The consent screen's scopes: described as above, and marked new when the user granted this
 * application some scopes before but not this one (a first consent marks nothing: all of it is new).
 */
export function describeConsentScopes(
  scopes: readonly string[],
  catalogue: ScopeCatalogue,
  granted: readonly string[],
): { name: string; description: string; isNew: boolean }[] {
  return describeScopes(scopes, catalogue).map((scope) => ({
    ...scope,
    isNew: granted.length > 0 && !granted.includes(scope.name),
  }));
}
