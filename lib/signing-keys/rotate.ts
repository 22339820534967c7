/**
 * `npm run cli -- rotate-signing-key`: an operator's command, not something the protocol needs, so
 * it lives here rather than in the protocol's store. The audit row is written in the rotation's
 * own transaction: no rotation without its entry, no entry without its rotation.
 */
import { recordAudit, type Actor } from "../audit/record.ts";
import { providerOf, type Db } from "../db/client.ts";
import { lockSigningKeys } from "../db/signing-key-lock.ts";
import { generateSigningKey, publishLeadMs, retiredPublishedMs, type PrivateKeyCipher } from "../oauth/oidc/keys.ts";

/**
 * The command's key-encryption key cannot read the keys the server signs with: run elsewhere, or
 * without the server's PORTCULLIS_KEY_ENCRYPTION_KEY, it would store a key no server can use.
 */
export class ForeignKeyEncryptionKey extends Error {}

export interface Rotation {
  created: { kid: string; createdAt: Date; signsFrom: Date };
  retired: { kid: string; signsUntil: Date; publishedUntil: Date }[];
  /** Keys retired by earlier rotations whose publication had ended, now deleted. */
  deleted: number;
}

/**
 * Stores a new key and retires the current ones as of when it starts signing (publishLeadMs from
 * now); keys no longer published are deleted, since their private keys serve no one. Concurrent
 * rotations run one after the other. Audited as done by `actor`, with key ids only.
 */
export async function rotateSigningKey(db: Db, cipher: PrivateKeyCipher, now: Date, actor: Actor): Promise<Rotation> {
  const signing = await db.signingKey.findMany({ where: { OR: [{ retiredAt: null }, { retiredAt: { gt: now } }] } });
  if (signing.length > 0 && signing.every((key) => !opens(cipher, key))) {
    throw new ForeignKeyEncryptionKey(
      "This command's key-encryption key cannot read the signing keys in use, so a key it stored could not be " +
        "used either. Run it with the server's PORTCULLIS_KEY_ENCRYPTION_KEY (or its data folder, " +
        "PORTCULLIS_DATA_DIR). A server whose keys are unreadable replaces them by itself.",
    );
  }
  const key = await generateSigningKey(now, cipher);
  const signsFrom = new Date(now.getTime() + publishLeadMs);
  const forgetRetiredBefore = new Date(now.getTime() - retiredPublishedMs);
  const { retired, deleted } = await db.$transaction(async (tx) => {
    // On SQLite the first statement writes, so the transaction holds the write lock throughout.
    if (providerOf(db) === "postgresql") await lockSigningKeys(tx);
    const retired = await tx.signingKey.updateManyAndReturn({
      where: { retiredAt: null },
      data: { retiredAt: signsFrom },
      select: { id: true },
    });
    await tx.signingKey.create({ data: key });
    const { count: deleted } = await tx.signingKey.deleteMany({ where: { retiredAt: { lt: forgetRetiredBefore } } });
    // Only key ids: the JWKS publishes them anyway, and a private key never enters the log.
    await recordAudit(tx, actor, {
      action: "signing_key.rotated",
      details: { created: key.id, retired: retired.map((old) => old.id), deleted },
    });
    return { retired, deleted };
  });
  return {
    // With no key before it, it is the first key, and signs at once (signingKeyAt).
    created: { kid: key.id, createdAt: now, signsFrom: retired.length > 0 ? signsFrom : now },
    retired: retired.map((old) => ({
      kid: old.id,
      signsUntil: signsFrom,
      publishedUntil: new Date(signsFrom.getTime() + retiredPublishedMs),
    })),
    deleted,
  };
}

function opens(cipher: PrivateKeyCipher, key: { id: string; privateJwk: string }): boolean {
  try {
    cipher.open(key.id, key.privateJwk);
    return true;
  } catch {
    return false;
  }
}
