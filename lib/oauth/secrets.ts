/**
 * Random credentials and how they are kept. Every credential is ≥ 256 bits from the OS CSPRNG,
 * URL-safe, and carries a short prefix so secret scanners can recognise a leaked one. At rest only
 * a SHA-256 digest is stored: a fast hash is right for a high-entropy value (nothing to brute
 * force) and keeps lookups and the token endpoint fast, unlike a password KDF.
 *
 * Between the prefix and the random part a credential carries the millisecond it was issued (8
 * base36 characters), and its stored key is that time followed by the digest. Tokens and codes are
 * found by that key through a unique index; keyed by the digest alone, every insert went to a random
 * leaf of that index, so each token dirtied a page of its own, which SQLite's checkpoint then wrote
 * back and fsynced at random places in the file: measured on our machines under the token
 * endpoint's flood, the checkpoint that lets the WAL start over (lib/db/sqlite-checkpointer.ts)
 * stalled requests for 35-55 ms once the table held a few million tokens. Keyed by time first,
 * inserts go to the index's last leaf. The time is no secret: the token's holder and the row know
 * it anyway. Credentials issued before this format (no time) keep their plain digest and still work.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const credentialPrefixes = {
  clientSecret: "pcs_",
  accessToken: "pca_",
  refreshToken: "pcr_",
  authorizationCode: "pcc_",
  deviceCode: "pcd_",
} as const;

export type CredentialKind = keyof typeof credentialPrefixes;

const issuedAtLength = 8;
const randomLength = 43;
const knownPrefixes = new Set<string>(Object.values(credentialPrefixes));
const issuedAtSyntax = /^[0-9a-z]{8}$/;

/**
 * The kind's prefix, the issue time, then 32 random bytes (256 bits) as base64url. The time fills
 * its 8 characters from 1973 to 2059; a longer one makes a credential that is simply stored under
 * its plain digest, like one without a time.
 */
export function generateCredential(kind: CredentialKind): string {
  return (
    credentialPrefixes[kind] +
    Date.now().toString(36).padStart(issuedAtLength, "0") +
    randomBytes(32).toString("base64url")
  );
}

/** The issue time a credential in today's format carries (its prefix is 4 characters), else null. */
function issuedAtOf(value: string): string | null {
  if (value.length !== 4 + issuedAtLength + randomLength || !knownPrefixes.has(value.slice(0, 4))) return null;
  const issuedAt = value.slice(4, 4 + issuedAtLength);
  return issuedAtSyntax.test(issuedAt) ? issuedAt : null;
}

/** Client ids are public but unguessable, so they cannot be enumerated. */
export function generateClientId(): string {
  return randomBytes(18).toString("base64url");
}

/** The key a credential is stored and found by: its issue time (if it carries one), then its SHA-256 in hex. */
export function hashCredential(value: string): string {
  return (issuedAtOf(value) ?? "") + createHash("sha256").update(value, "utf8").digest("hex");
}

/** Compares a presented credential with a stored key in constant time. */
export function credentialMatches(presented: string, storedHash: string | null | undefined): boolean {
  if (!storedHash) return false;
  const actual = Buffer.from(hashCredential(presented), "utf8");
  const expected = Buffer.from(storedHash, "utf8");
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The last four characters: enough for an admin to tell two secrets apart, useless to an attacker. */
export function credentialHint(value: string): string {
  return value.slice(-4);
}
