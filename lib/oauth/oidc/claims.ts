/** The claims a user's scopes release (OpenID Connect Core §5.4), shared by ID tokens and userinfo. */
import type { UserRecord } from "../store.ts";

export const supportedClaims = ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "name", "email"];

export function userClaims(user: UserRecord, scopes: readonly string[]): Record<string, string> {
  const claims: Record<string, string> = { sub: user.id };
  if (scopes.includes("profile") && user.name) claims.name = user.name;
  if (scopes.includes("email")) claims.email = user.email;
  return claims;
}
