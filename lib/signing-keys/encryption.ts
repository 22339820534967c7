/**
 * Signing keys' private halves are stored encrypted (AES-256-GCM), so a copy of the database alone
 * cannot forge ID tokens. The key-encryption key (KEK) lives outside the database
 * (lib/config/secrets.ts keyEncryptionKey).
 *
 * A stored value is `enc:v1:<KEK id>:<base64url of IV, ciphertext, tag>`. The associated data is
 * that header followed by the signing key's id, so a value moved to another row, or given another
 * header, fails authentication. The KEK id (a keyed hash of the KEK, not reversible) tells an
 * operator which KEK a row needs when it is not the one configured.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import type { PrivateKeyCipher } from "../oauth/oidc/keys.ts";

const prefix = "enc:v1:";
const ivBytes = 12;
const tagBytes = 16;

class UnreadablePrivateKey extends Error {}

export const isEncrypted = (stored: string) => stored.startsWith("enc:");

/** The id written into each value: identifies the KEK without revealing it. */
function keyEncryptionKeyId(kek: Buffer): string {
  return createHmac("sha256", kek).update("portcullis key-encryption key id").digest("base64url").slice(0, 12);
}

export function privateKeyCipher(kek: Buffer): PrivateKeyCipher & { kekId: string } {
  if (kek.length !== 32) throw new Error("The key-encryption key must be 32 bytes");
  const kekId = keyEncryptionKeyId(kek);
  // A key of its own for this one use, should the KEK ever encrypt anything else.
  const key = Buffer.from(hkdfSync("sha256", kek, Buffer.alloc(0), "portcullis signing-key encryption v1", 32));
  const header = `${prefix}${kekId}:`;
  const associatedData = (kid: string) => Buffer.from(`${header}${kid}`, "utf8");

  return {
    kekId,
    seal(kid, privateJwk) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: tagBytes });
      cipher.setAAD(associatedData(kid));
      const ciphertext = Buffer.concat([cipher.update(privateJwk, "utf8"), cipher.final()]);
      return `${header}${Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString("base64url")}`;
    },
    open(kid, stored) {
      if (!isEncrypted(stored)) throw new UnreadablePrivateKey("it is stored unencrypted");
      const match = /^enc:v1:([A-Za-z0-9_-]+):([A-Za-z0-9_-]+)$/.exec(stored);
      if (!match) throw new UnreadablePrivateKey("its stored form is not one this version reads");
      const [, storedKekId, payload] = match as unknown as [string, string, string];
      if (storedKekId !== kekId) {
        throw new UnreadablePrivateKey(
          `it was encrypted with another key-encryption key (id ${storedKekId}; this server's is ${kekId})`,
        );
      }
      const bytes = Buffer.from(payload, "base64url");
      if (bytes.length <= ivBytes + tagBytes) throw new UnreadablePrivateKey("its stored form is truncated");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, ivBytes), { authTagLength: tagBytes });
        decipher.setAAD(associatedData(kid));
        decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
        return Buffer.concat([
          decipher.update(bytes.subarray(ivBytes, bytes.length - tagBytes)),
          decipher.final(),
        ]).toString("utf8");
      } catch {
        throw new UnreadablePrivateKey("it fails authentication: altered, or copied from another key's row");
      }
    },
  };
}
