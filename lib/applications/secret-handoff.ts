/**
 * The one-time secret screen's handoff. A client secret is issued by a form POST (create, rotate,
 * or an edit that makes a client confidential), which answers 303 to
 * /admin/applications/[id]/secret (Post/Redirect/Get): that page shows the secret once, and on a
 * reload, a visit from history or any later visit says it was shown already and offers to rotate.
 *
 * Between the POST and that GET the secret has to be somewhere. Not in the URL (history, logs,
 * Referer) and never in plaintext: it is sealed here with AES-256-GCM under a key derived (HKDF)
 * from the key-encryption key, bound to the application and the admin who issued it, stored in a
 * row that the page deletes as it reads it, and that expires after a few minutes if the page is
 * never reached. Why a row and not an encrypted httpOnly cookie scoped to the page's path: a page
 * (a server component) can read cookies but not clear them, so a cookie could not be consumed by
 * the first view without extra machinery in the request proxy; a row is consumed by a conditional
 * DELETE that exactly one request wins, and works whichever instance answers the GET. Issuing a new
 * secret drops the app's earlier handoffs (their secret no longer works).
 */
import { hkdfSync } from "node:crypto";
import type { Db } from "../db/client.ts";
import { privateKeyCipher } from "../signing-keys/encryption.ts";

export type HandoffReason = "created" | "rotated" | "updated";

/** Long enough for a slow redirect; short enough that an unviewed secret does not linger. */
export const handoffLifetimeMs = 10 * 60_000;

export interface HandoffCipher {
  seal(binding: string, secret: string): string;
  open(binding: string, sealed: string): string;
}

/** AES-256-GCM (the signing keys' cipher) under a key of its own, derived from the KEK. */
export function handoffCipher(kek: Buffer): HandoffCipher {
  const key = Buffer.from(hkdfSync("sha256", kek, Buffer.alloc(0), "portcullis secret handoff v1", 32));
  return privateKeyCipher(key);
}

const binding = (applicationId: string, actorId: string) => `secret-handoff:${applicationId}:${actorId}`;

export async function stashIssuedSecret(
  db: Db,
  cipher: HandoffCipher,
  handoff: { applicationId: string; actorId: string; secret: string; reason: HandoffReason },
  now = new Date(),
): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.secretHandoff.deleteMany({
      where: { OR: [{ applicationId: handoff.applicationId }, { expiresAt: { lte: now } }] },
    });
    await tx.secretHandoff.create({
      data: {
        applicationId: handoff.applicationId,
        actorId: handoff.actorId,
        reason: handoff.reason,
        sealed: cipher.seal(binding(handoff.applicationId, handoff.actorId), handoff.secret),
        expiresAt: new Date(now.getTime() + handoffLifetimeMs),
      },
    });
  });
}

/**
 * The secret waiting for this admin on this application's page, taken: deleted as it is read, so
 * only the first view shows it. Null when there is none (shown already, expired, issued to another
 * admin, or unreadable under this server's key).
 */
export async function takeIssuedSecret(
  db: Db,
  cipher: HandoffCipher,
  { applicationId, actorId }: { applicationId: string; actorId: string },
  now = new Date(),
): Promise<{ secret: string; reason: HandoffReason } | null> {
  const waiting = await db.secretHandoff.findFirst({
    where: { applicationId, actorId, expiresAt: { gt: now } },
    orderBy: { createdAt: "desc" },
  });
  if (!waiting) return null;
  // Whoever deletes the row shows the secret: two requests at once never both do.
  const { count } = await db.secretHandoff.deleteMany({ where: { id: waiting.id } });
  if (count !== 1) return null;
  try {
    const reason = (["created", "rotated", "updated"] as const).find((known) => known === waiting.reason) ?? "rotated";
    return { secret: cipher.open(binding(applicationId, actorId), waiting.sealed), reason };
  } catch {
    return null;
  }
}
