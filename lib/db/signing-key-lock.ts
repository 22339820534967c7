/** Orders the signing-key writes of every process on PostgreSQL (the first key, rotations). */
import type { Db } from "./client.ts";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** A transaction lock of its own (not the migrator's): held until the transaction ends. */
const signingKeysLock = 72707370;

export async function lockSigningKeys(tx: Tx): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${signingKeysLock})`);
}
