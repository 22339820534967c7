/**
 * The server's signing keys for ID tokens, with jose (a maintained JOSE library). Every instance
 * reads the same keys from the database and keeps them in memory (re-read every refreshMs), so
 * signing costs no database round trip.
 *
 * The first key is made at start-up (lib/setup/bootstrap.ts), before anything is served, and
 * signs at once: no relying party can hold a key set without it. `npm run cli -- rotate-signing-key`
 * stores a successor, which the JWKS publishes at once but which signs only publishLeadMs later,
 * once every instance has re-read the keys and every cached copy of the JWKS has expired: a
 * relying party that refetches keys only on an unknown kid would otherwise be turned away by a
 * stale instance or cache that does not have it yet. Until then the key it replaces keeps signing;
 * that one stays published until the ID tokens it signed have expired (retiredPublishedMs).
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { Actor } from "../../audit/actor.ts";
import type { NewSigningKey, OAuthStore, SigningKeyRecord } from "../store.ts";
import { idTokenLifetimeSeconds } from "./id-token.ts";

export interface SigningKey {
  kid: string;
  alg: "RS256";
  privateKey: CryptoKey;
}

export interface KeyRing {
  signingKey(): Promise<SigningKey>;
  /** The public keys, as published at the JWKS endpoint. */
  publicJwks(): Promise<{ keys: JWK[] }>;
}

/** Keys are re-read this often, so a key added or retired elsewhere is picked up. */
export const refreshMs = 5 * 60_000;
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

export async function generateSigningKey(createdAt: Date): Promise<NewSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    id: kid,
    algorithm: "RS256",
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg: "RS256", use: "sig" }),
    privateJwk: JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: "RS256" }),
    createdAt,
  };
}

const signsAt = (key: SigningKeyRecord, at: Date) => key.retiredAt === null || key.retiredAt > at;

/**
 * The key that signs at `at`, of keys listed newest first: the newest one not retired that has been
 * published for publishLeadMs; while none has, the one published longest (the first key, at once).
 */
export function signingKeyAt(keys: readonly SigningKeyRecord[], at: Date): SigningKeyRecord | undefined {
  const candidates = keys.filter((key) => signsAt(key, at));
  return candidates.find((key) => key.createdAt.getTime() + publishLeadMs <= at.getTime()) ?? candidates.at(-1);
}

/** The keys the JWKS publishes at `at`: all but those retired longer than retiredPublishedMs ago. */
export function publishedKeysAt(keys: readonly SigningKeyRecord[], at: Date): SigningKeyRecord[] {
  return keys.filter((key) => key.retiredAt === null || key.retiredAt.getTime() + retiredPublishedMs > at.getTime());
}

/** Stores a first key unless one is there; safe from any number of processes at once. */
export async function ensureSigningKey(store: OAuthStore, now: Date): Promise<boolean> {
  // Making a key pair takes a moment, so every start skips it once a key is there; the
  // conditional insert still decides between processes that all found none.
  if ((await store.listSigningKeys()).some((key) => key.retiredAt === null)) return false;
  return store.saveFirstSigningKey(await generateSigningKey(now));
}

export interface Rotation {
  created: { kid: string; createdAt: Date; signsFrom: Date };
  retired: { kid: string; signsUntil: Date; publishedUntil: Date }[];
  /** Keys retired by earlier rotations whose publication had ended, now deleted. */
  deleted: number;
}

/**
 * Stores a new key and retires the current ones as of when it starts signing; keys no longer
 * published are deleted. Audited as done by `actor`.
 */
export async function rotateSigningKey(store: OAuthStore, now: Date, actor: Actor): Promise<Rotation> {
  const key = await generateSigningKey(now);
  const signsFrom = new Date(now.getTime() + publishLeadMs);
  const { retired, deleted } = await store.rotateSigningKey(key, {
    retireAt: signsFrom,
    forgetRetiredBefore: new Date(now.getTime() - retiredPublishedMs),
    actor,
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

export function storeKeyRing(store: OAuthStore, now: () => Date = () => new Date()): KeyRing {
  let loaded: { at: number; keys: SigningKeyRecord[] } | undefined;
  let loading: Promise<SigningKeyRecord[]> | undefined;
  const imported = new Map<string, Promise<SigningKey>>();

  async function read(): Promise<SigningKeyRecord[]> {
    let keys = await store.listSigningKeys();
    // Bootstrap makes the first key; a database it did not prepare (an older version's) has none.
    // Stored here or by another process meanwhile, the key is there after this.
    if (!keys.some((key) => key.retiredAt === null)) {
      await ensureSigningKey(store, now());
      keys = await store.listSigningKeys();
    }
    loaded = { at: now().getTime(), keys };
    return keys;
  }

  async function keys(): Promise<SigningKeyRecord[]> {
    if (loaded && now().getTime() - loaded.at < refreshMs) return loaded.keys;
    // One read at a time: the requests that find the keys stale wait for the same one.
    loading ??= read().finally(() => (loading = undefined));
    return loading;
  }

  function importKey(record: SigningKeyRecord): Promise<SigningKey> {
    let key = imported.get(record.id);
    if (!key) {
      key = importJWK(JSON.parse(record.privateJwk) as JWK, "RS256").then((privateKey) => ({
        kid: record.id,
        alg: "RS256" as const,
        privateKey: privateKey as CryptoKey,
      }));
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
  };
}
