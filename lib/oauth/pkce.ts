/** Proof Key for Code Exchange (RFC 7636), S256 only: `plain` offers no protection (RFC 9700 §2.1.1). */
import { createHash, timingSafeEqual } from "node:crypto";

// RFC 7636 §4.1: code-verifier = 43*128unreserved
const verifierSyntax = /^[A-Za-z0-9\-._~]{43,128}$/;
// A base64url SHA-256 digest is exactly 43 characters.
const challengeSyntax = /^[A-Za-z0-9_-]{43}$/;

export function isCodeChallenge(value: string): boolean {
  return challengeSyntax.test(value);
}

function isCodeVerifier(value: string): boolean {
  return verifierSyntax.test(value);
}

export function s256(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** Whether a verifier matches an S256 challenge, compared in constant time. */
export function verifierMatches(verifier: string, challenge: string): boolean {
  if (!isCodeVerifier(verifier)) return false;
  const computed = Buffer.from(s256(verifier));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}
