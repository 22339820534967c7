/**
 * The server's signing keys for ID tokens, with jose (a maintained JOSE library). A key is generated
 * and stored on first use, so a fresh install needs nothing; every instance reads the same keys from
 * the database. The newest unretired key signs; every key not retired is published in the JWKS, so
 * a new key can be added before the old one is retired (rotation).
 */
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { OAuthStore, SigningKeyRecord } from "../store.ts";

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
const refreshMs = 5 * 60_000;

export async function generateSigningKey(): Promise<Omit<SigningKeyRecord, "createdAt" | "retiredAt">> {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  return {
    id: kid,
    algorithm: "RS256",
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg: "RS256", use: "sig" }),
    privateJwk: JSON.stringify({ ...(await exportJWK(privateKey)), kid, alg: "RS256" }),
  };
}

export function storeKeyRing(store: OAuthStore, now: () => Date = () => new Date()): KeyRing {
  let loaded: { at: number; keys: SigningKeyRecord[]; signing: Promise<SigningKey> } | undefined;

  async function load(): Promise<NonNullable<typeof loaded>> {
    if (loaded && now().getTime() - loaded.at < refreshMs) return loaded;
    let keys = (await store.listSigningKeys()).filter((key) => key.retiredAt === null);
    if (keys.length === 0) {
      await store.saveSigningKey(await generateSigningKey());
      // Another instance may have raced us: whatever is stored now is the truth.
      keys = (await store.listSigningKeys()).filter((key) => key.retiredAt === null);
    }
    const newest = keys[0]!;
    const signing = importJWK(JSON.parse(newest.privateJwk) as JWK, "RS256").then((key) => ({
      kid: newest.id,
      alg: "RS256" as const,
      privateKey: key as CryptoKey,
    }));
    loaded = { at: now().getTime(), keys, signing };
    return loaded;
  }

  return {
    async signingKey() {
      return (await load()).signing;
    },
    async publicJwks() {
      return { keys: (await load()).keys.map((key) => JSON.parse(key.publicJwk) as JWK) };
    },
  };
}
