/** ID tokens (OpenID Connect Core §2, §3.1.3.6), signed with jose. */
import { createHash } from "node:crypto";
import { SignJWT } from "jose";
import type { KeyRing } from "./keys.ts";
import { userClaims } from "./claims.ts";
import type { UserRecord } from "../store.ts";

/** ID tokens are consumed at once by the client; ten minutes covers clock skew. */
export const idTokenLifetimeSeconds = 600;

/** at_hash: the left half of the SHA-256 of the access token, base64url (Core §3.1.3.6). */
function accessTokenHash(accessToken: string): string {
  return createHash("sha256").update(accessToken, "ascii").digest().subarray(0, 16).toString("base64url");
}

export interface IdTokenInput {
  issuer: string;
  clientId: string;
  user: UserRecord;
  scopes: readonly string[];
  nonce: string | null;
  authTime: Date | null;
  accessToken: string;
  now: Date;
  /** The deployer's claims (never a reserved one: lib/oauth/policy.ts). */
  extraClaims?: Record<string, unknown>;
}

export async function createIdToken(keys: KeyRing, input: IdTokenInput): Promise<string> {
  const key = await keys.signingKey();
  const issuedAt = Math.floor(input.now.getTime() / 1000);
  const { sub, ...claims } = userClaims(input.user, input.scopes);
  return new SignJWT({
    ...input.extraClaims,
    ...claims,
    ...(input.nonce ? { nonce: input.nonce } : {}),
    ...(input.authTime ? { auth_time: Math.floor(input.authTime.getTime() / 1000) } : {}),
    at_hash: accessTokenHash(input.accessToken),
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT" })
    .setIssuer(input.issuer)
    .setSubject(sub!)
    .setAudience(input.clientId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + idTokenLifetimeSeconds)
    .sign(key.privateKey);
}
