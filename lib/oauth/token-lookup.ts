/** Finds a presented token among access and refresh tokens, by its hash (RFC 7009 / 7662 hints). */
import { parseScope } from "./scope.ts";
import { hashCredential } from "./secrets.ts";
import type { AccessTokenRecord, OAuthStore, RefreshTokenRecord } from "./store.ts";

export type FoundToken =
  { kind: "access_token"; token: AccessTokenRecord } | { kind: "refresh_token"; token: RefreshTokenRecord };

export async function findToken(
  store: OAuthStore,
  value: string,
  hint: string | undefined,
): Promise<FoundToken | null> {
  const hash = hashCredential(value);
  const lookAccess = async (): Promise<FoundToken | null> => {
    const token = await store.findAccessToken(hash);
    return token ? { kind: "access_token", token } : null;
  };
  const lookRefresh = async (): Promise<FoundToken | null> => {
    const token = await store.findRefreshToken(hash);
    return token ? { kind: "refresh_token", token } : null;
  };
  // The hint only orders the search (RFC 7009 §2.1); an unknown hint is ignored.
  return hint === "refresh_token" ? ((await lookRefresh()) ?? lookAccess()) : ((await lookAccess()) ?? lookRefresh());
}

/** Whether a token is live now: not revoked, not expired, and for refresh tokens not yet rotated. */
export function isLive(found: FoundToken, now: Date): boolean {
  const { token } = found;
  if (token.revokedAt || (token.expiresAt && token.expiresAt <= now)) return false;
  return found.kind === "access_token" || found.token.rotatedAt === null;
}

export function scopesOf(scope: string): string[] {
  return parseScope(scope) ?? [];
}
