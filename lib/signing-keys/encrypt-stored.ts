/**
 * The upgrade to encrypted private keys: rows written before encryption hold the private JWK as is,
 * and are encrypted at start-up. Each row is rewritten only if it still holds what was read (one
 * conditional UPDATE), so processes starting together never overwrite each other, and a row already
 * encrypted is left alone: running it again changes nothing.
 */
import type { Db } from "../db/client.ts";
import type { PrivateKeyCipher } from "../oauth/oidc/keys.ts";
import { isEncrypted } from "./encryption.ts";

/** Encrypts every private key still stored in plaintext; returns how many this call encrypted. */
export async function encryptStoredSigningKeys(db: Db, cipher: PrivateKeyCipher): Promise<number> {
  const rows = await db.signingKey.findMany({
    where: { NOT: { privateJwk: { startsWith: "enc:" } } },
    select: { id: true, privateJwk: true },
  });
  let encrypted = 0;
  for (const row of rows) {
    if (isEncrypted(row.privateJwk)) continue;
    const { count } = await db.signingKey.updateMany({
      where: { id: row.id, privateJwk: row.privateJwk },
      data: { privateJwk: cipher.seal(row.id, row.privateJwk) },
    });
    encrypted += count;
  }
  return encrypted;
}
