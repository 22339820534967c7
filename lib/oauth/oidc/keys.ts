/**
 * The server's signing keys for ID tokens, with jose (a maintained JOSE library). Every instance
 * (and every worker of one) reads the same keys from the database and keeps them in memory
 * (re-read in the background once a second while in use, and before use once they are refreshMs
 * old), so signing costs no database round trip. Private keys are stored encrypted (the PrivateKeyCipher
 * passed in: lib/signing-keys/encryption.ts); public keys are not secret and are stored as they are.
 *
 * The first key is made at start-up (lib/setup/bootstrap.ts), before anything is served, and
 * signs at once: no relying party can hold a key set without it. `npm run cli -- rotate-signing-key`
 * (lib/signing-keys/rotate.ts) stores a successor, which the JWKS publishes at once but which signs
 * only publishLeadMs later, once every instance has re-read the keys and every cached copy of the
 * JWKS has expired: a relying party that refetches keys only on an unknown kid would otherwise be
 * turned away by a stale instance or cache that does not have it yet. Until then the key it
 * replaces keeps signing; that one stays published until the ID tokens it signed have expired
 * (retiredPublishedMs).
 *
 * A key that signs now or later but cannot be decrypted (the key-encryption key was lost or
 * changed, or the row was altered) is retired at once and replaced by a new key that signs at
 * once (repairSigningKeys): the server keeps serving, and says so in its log. The old key's public
 * half stays published as after a rotation.
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { NewSigningKey, OAuthStore, SigningKeyRecord } from "../store.ts";
import { idTokenLifetimeSeconds } from "./id-token.ts";
import { log as logger } from "../../log/logger.ts";

export interface SigningKey {
  kid: string;
  alg: "RS256";
  privateKey: CryptoKey;
}

export interface KeyRing {
  signingKey(): Promise<SigningKey>;
  /** The public keys, as published at the JWKS endpoint. */
  publicJwks(): Promise<{ keys: JWK[] }>;
  /** Drops the keys in memory: the next use reads them again (another process changed them). */
  forget(): void;
}

/**
 * Keys older than this are re-read before they are used: the longest any instance can go on with
 * keys it read earlier (the database out of reach aside), which publishLeadMs is built on.
 */
export const refreshMs = 5 * 60_000;
/**
 * Keys older than this are used once more and re-read meanwhile (one query, in the background), so
 * that a rotation by the CLI or by another instance or worker is published by every process within
 * about a second: a JWKS fetched from any worker right after a rotation has the new key.
 */
export const recheckMs = 1_000;
/** After a failed re-read, the keys in memory serve this long before the next attempt. */
const staleRetryMs = 10_000;
/** How long relying parties and HTTP caches may keep the JWKS (its Cache-Control). */
export const jwksMaxAgeSeconds = 300;
/** A new key signs this long after it was stored: every instance and every cache has it by then. */
export const publishLeadMs = refreshMs + jwksMaxAgeSeconds * 1000;
/**
 * A retired key stays published this long after it stopped signing: the last ID token it signed
 * expires within the ID token lifetime, and the margin covers clocks that differ between this
 * server's instances and the relying parties checking exp.
 */
export const retiredPublishedMs = idTokenLifetimeSeconds * 1000 + 5 * 60_000;

/** Keeps private keys encrypted at rest; implemented in lib/signing-keys/encryption.ts. */
export interface PrivateKeyCipher {
  seal(kid: string, privateJwk: string): string;
  /** The private JWK stored for `kid`; throws, saying why, when it cannot be read. */
  open(kid: string, stored: string): string;
}

export async function generateSigningKey(createdAt: Date, cipher: PrivateKeyCipher): Promise<NewSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    id: kid,
    algorithm: "RS256",
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg: "RS256", use: "sig" }),
    privateJwk: cipher.seal(kid, JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: "RS256" })),
    createdAt,
  };
}

const signsAt = (key: SigningKeyRecord, at: Date) => key.retiredAt === null || key.retiredAt > at;

/**
 * The key that signs at `at`, of keys listed newest first: the newest one not retired that has been
 * published for publishLeadMs; while none has, the one published longest (the first key, at once).
 */
function signingKeyAt(keys: readonly SigningKeyRecord[], at: Date): SigningKeyRecord | undefined {
  const candidates = keys.filter((key) => signsAt(key, at));
  return candidates.find((key) => key.createdAt.getTime() + publishLeadMs <= at.getTime()) ?? candidates.at(-1);
}

/** The keys the JWKS publishes at `at`: all but those retired longer than retiredPublishedMs ago. */
function publishedKeysAt(keys: readonly SigningKeyRecord[], at: Date): SigningKeyRecord[] {
  return keys.filter((key) => key.retiredAt === null || key.retiredAt.getTime() + retiredPublishedMs > at.getTime());
}

/** Stores a first key unless one is there; safe from any number of processes at once. */
export async function ensureSigningKey(store: OAuthStore, cipher: PrivateKeyCipher, now: Date): Promise<boolean> {
  // Making a key pair takes a moment, so every start skips it once a key is there; the
  // conditional insert still decides between processes that all found none.
  if ((await store.listSigningKeys()).some((key) => key.retiredAt === null)) return false;
  return store.saveFirstSigningKey(await generateSigningKey(now, cipher));
}

async function importPrivateKey(record: SigningKeyRecord, cipher: PrivateKeyCipher): Promise<SigningKey> {
  const jwk = JSON.parse(cipher.open(record.id, record.privateJwk)) as JWK;
  if (jwk.kid !== record.id) throw new Error("its private key belongs to another key id");
  return { kid: record.id, alg: "RS256", privateKey: (await importJWK(jwk, "RS256")) as CryptoKey };
}

export interface UnusableKey {
  kid: string;
  reason: string;
}

export interface Repair {
  /** The keys stored now, newest first. */
  keys: SigningKeyRecord[];
  /** Keys that sign now or later but could not be read; they were retired as of `now`. */
  unusable: UnusableKey[];
  /** Whether this call stored a new key (a first key, or one replacing unusable keys). */
  created: boolean;
}

/**
 * Makes sure a key this server can read will sign: keys that sign now or later but cannot be
 * decrypted or imported are retired as of `now` (still published, as after a rotation), and a new
 * key is stored when no unretired key is left. Safe from any number of processes at once: each
 * step is one conditional write, and a process that lost the race reads the winner's key.
 * `read` imports a key (its caller may cache the result); it throws when the key is unusable.
 */
export async function repairSigningKeys(
  store: OAuthStore,
  cipher: PrivateKeyCipher,
  now: Date,
  read: (record: SigningKeyRecord) => Promise<unknown> = (record) => importPrivateKey(record, cipher),
): Promise<Repair> {
  const unusable: UnusableKey[] = [];
  let created = false;
  // A process whose key-encryption key differs from this one's may store a key in between; a few
  // rounds settle any race, and a misconfiguration is left to the log rather than looped over.
  for (let round = 0; round < 3; round++) {
    const keys = await store.listSigningKeys();
    const failed: UnusableKey[] = [];
    for (const key of keys.filter((key) => signsAt(key, now))) {
      try {
        await read(key);
      } catch (error) {
        failed.push({ kid: key.id, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    if (failed.length === 0 && keys.some((key) => key.retiredAt === null)) return { keys, unusable, created };
    unusable.push(...failed.filter((key) => !unusable.some((seen) => seen.kid === key.kid)));
    if (failed.length > 0)
      await store.retireSigningKeys(
        failed.map((key) => key.kid),
        now,
      );
    created = (await ensureSigningKey(store, cipher, now)) || created;
  }
  return { keys: await store.listSigningKeys(), unusable, created };
}

/** The log line for a key that could not be read. */
export function describeUnusableKey({ kid, reason }: UnusableKey): string {
  return (
    `ID token signing key ${kid} cannot be used: ${reason}. It no longer signs (its public key stays ` +
    "published until the ID tokens it signed have expired) and a new key signs instead. If the " +
    "key-encryption key was changed or lost, restore it (PORTCULLIS_KEY_ENCRYPTION_KEY, or the data " +
    "folder's key-encryption-key file) on every instance."
  );
}

export interface KeyRingOptions {
  now?: () => Date;
  /** Where a key that cannot be used is reported (describeUnusableKey); the server's log by default. */
  log?: (message: string) => void;
  /**
   * This ring stored or retired a key (it replaced keys it could not read): the other processes
   * that serve alongside it should forget theirs (lib/server/protocol.ts tells the other workers).
   */
  onChange?: () => void;
}

export function storeKeyRing(
  store: OAuthStore,
  cipher: PrivateKeyCipher,
  { now = () => new Date(), log = (message) => logger().error(message), onChange = () => {} }: KeyRingOptions = {},
): KeyRing {
  let loaded: { at: number; keys: SigningKeyRecord[] } | undefined;
  let loading: Promise<SigningKeyRecord[]> | undefined;
  let rechecking: Promise<void> | undefined;
  const imported = new Map<string, Promise<SigningKey>>();

  async function read(): Promise<SigningKeyRecord[]> {
    // Bootstrap makes the first key; a database it did not prepare (an older version's) has none.
    // Stored here or by another process meanwhile, the key is there after this. Keys this process
    // cannot read are replaced here too, so it keeps signing.
    const at = now();
    const { keys, unusable, created } = await repairSigningKeys(store, cipher, at, importKey);
    for (const key of unusable) log(describeUnusableKey(key));
    loaded = { at: at.getTime(), keys };
    if (created || unusable.length > 0) onChange();
    return keys;
  }

  async function keys(): Promise<SigningKeyRecord[]> {
    const age = loaded ? now().getTime() - loaded.at : Infinity;
    if (loaded && age < refreshMs) {
      if (age >= recheckMs && !loading && !rechecking) {
        // A failure here is left to the read at refreshMs, which logs it and keeps the keys it has.
        rechecking = read()
          .then(
            () => {},
            () => {},
          )
          .finally(() => (rechecking = undefined));
      }
      return loaded.keys;
    }
    // One read at a time: the requests that find the keys stale wait for the same one.
    loading ??= read()
      .catch((error: unknown) => {
        if (!loaded) throw error;
        // The database is out of reach: keep signing and publishing the keys last read (stored
        // keys only change by rotations, which publish ahead), and try again a little later.
        log(`Signing keys could not be re-read; the ones in memory stay in use: ${String(error).split("\n").at(-1)}`);
        loaded = { at: now().getTime() - refreshMs + staleRetryMs, keys: loaded.keys };
        return loaded.keys;
      })
      .finally(() => (loading = undefined));
    return loading;
  }

  function importKey(record: SigningKeyRecord): Promise<SigningKey> {
    let key = imported.get(record.id);
    if (!key) {
      key = importPrivateKey(record, cipher);
      key.catch(() => imported.delete(record.id));
      imported.set(record.id, key);
    }
    return key;
  }

  return {
    async signingKey() {
      const record = signingKeyAt(await keys(), now());
      if (!record) throw new Error("No signing key is stored");
      return importKey(record);
    },
    async publicJwks() {
      return { keys: publishedKeysAt(await keys(), now()).map((key) => JSON.parse(key.publicJwk) as JWK) };
    },
    forget() {
      // A read under way may have started before the change: the one after it reads again.
      loaded = undefined;
      loading = undefined;
    },
  };
}
