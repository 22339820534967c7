/**
 * User codes (RFC 8628 §6.1): 8 characters from 20 consonants, no vowels (no words spelled by
 * chance) and none that look alike, shown as XXXX-XXXX. Entry is forgiving: case, dashes and spaces
 * are ignored. 20^8 ≈ 2^34.6 codes: guessing a live one is stopped by the limit on wrong entries
 * (./device-verification.ts), not by the code's length.
 *
 * Stored as a SHA-256 of the normalised code, so the table alone does not show codes a user could
 * enter; a fast hash suffices for a value that lives minutes and is useless without a signed-in user.
 */
import { createHash, randomInt } from "node:crypto";

const alphabet = "BCDFGHJKLMNPQRSTVWXZ";
const length = 8;
const syntax = new RegExp(`^[${alphabet}]{${length}}$`);

export function generateUserCode(): string {
  let code = "";
  for (let i = 0; i < length; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}

/** How the code is shown: XXXX-XXXX. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What the user typed, as a code (upper case, no dashes or spaces), or null when it cannot be one. */
export function normaliseUserCode(input: string): string | null {
  if (input.length > 64) return null;
  const code = input.toUpperCase().replace(/[\s-]/g, "");
  return syntax.test(code) ? code : null;
}

export function hashUserCode(normalised: string): string {
  return createHash("sha256").update(normalised, "utf8").digest("hex");
}
