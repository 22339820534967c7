/**
 * Secrets the server generates for itself on first start and keeps in the data folder, so it runs
 * with no configuration. Instances behind a load balancer must share them: set PORTCULLIS_SECRET
 * and PORTCULLIS_KEY_ENCRYPTION_KEY.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Settings } from "./settings.ts";

function readOrCreate(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const value = randomBytes(32).toString("base64url");
  try {
    // "wx": if another process created it first, keep theirs.
    writeFileSync(file, `${value}\n`, { flag: "wx", mode: 0o600 });
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readFileSync(file, "utf8").trim();
    throw error;
  }
}

/** Signs and encrypts session cookies. */
export function sessionSecret(settings: Settings): string {
  return settings.sessionSecret ?? readOrCreate(path.join(settings.dataDir, "session-secret"));
}

const keyEncryptionKeyFile = "key-encryption-key";

/**
 * 32 bytes written as 64 hex digits, or as base64 / base64url (`openssl rand -base64 32`); anything
 * else is refused rather than stretched, so a truncated paste cannot pass for a key.
 */
export function decodeKeyEncryptionKey(text: string, source: string): Buffer {
  const value = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(value)
    ? Buffer.from(value, "hex")
    : /^[A-Za-z0-9+/_-]{43}={0,1}$/.test(value)
      ? Buffer.from(value.replace(/=$/, ""), "base64url")
      : null;
  if (key?.length !== 32) {
    throw new Error(
      `${source} must be 32 random bytes as base64 or hex (e.g. the output of \`openssl rand -base64 32\`)`,
    );
  }
  return key;
}

/**
 * Encrypts the ID-token signing keys at rest (lib/signing-keys/encryption.ts). Kept apart from the
 * database: a copy of the database alone does not reveal the keys.
 */
export function keyEncryptionKey(settings: Settings): Buffer {
  if (settings.keyEncryptionKey !== undefined)
    return decodeKeyEncryptionKey(settings.keyEncryptionKey, "PORTCULLIS_KEY_ENCRYPTION_KEY");
  const file = path.join(settings.dataDir, keyEncryptionKeyFile);
  return decodeKeyEncryptionKey(readOrCreate(file), file);
}
