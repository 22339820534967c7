/**
 * Random credentials and how they are kept. Every credential is ≥ 256 bits from the OS CSPRNG,
 * URL-safe, and carries a short prefix so secret scanners can recognise a leaked one. At rest only
 * a SHA-256 digest is stored: a fast hash is right for a high-entropy value (nothing to brute
 * force) and keeps lookups and the token endpoint fast, unlike a password KDF.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const credentialPrefixes = {
  clientSecret: "pcs_",
  accessToken: "pca_",
  refreshToken: "pcr_",
  authorizationCode: "pcc_",
} as const;

export type CredentialKind = keyof typeof credentialPrefixes;

/** 32 random bytes (256 bits), base64url, behind the kind's prefix. */
export function generateCredential(kind: CredentialKind): string {
  return credentialPrefixes[kind] + randomBytes(32).toString("base64url");
}

/** Client ids are public but unguessable, so they cannot be enumerated. */
export function generateClientId(): string {
  return randomBytes(18).toString("base64url");
}

export function hashCredential(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** Compares a presented credential with a stored digest in constant time. */
export function credentialMatches(presented: string, storedHash: string | null | undefined): boolean {
  if (!storedHash) return false;
  const actual = Buffer.from(hashCredential(presented), "hex");
  const expected = Buffer.from(storedHash, "hex");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The last four characters: enough for an admin to tell two secrets apart, useless to an attacker. */
export function credentialHint(value: string): string {
  return value.slice(-4);
}
