/**
 * Signing keys encrypted at rest (lib/signing-keys/encryption.ts), on real SQLite and PostgreSQL:
 * a database dump holds no usable private key; a plaintext row from an earlier version is encrypted
 * at start-up; a lost or wrong key-encryption key, or a row swapped with another's, never stops the
 * server: it says so and signs with a new key.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
} from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { keyEncryptionKey } from "@/lib/config/secrets";
import { readSettings, type Settings } from "@/lib/config/settings";
import { connect, type Db } from "@/lib/db/client";
import { prismaOAuthStore } from "@/lib/db/oauth-store";
import { createIdToken } from "@/lib/oauth/oidc/id-token";
import { generateSigningKey, retiredPublishedMs, storeKeyRing, type KeyRing } from "@/lib/oauth/oidc/keys";
import { describePrepared, prepare } from "@/lib/setup/bootstrap";
import { privateKeyCipher } from "@/lib/signing-keys/encryption";
import { emptyDatabase, providers, type Provider } from "../support/databases.ts";

const issuer = "http://localhost:3000";

async function idToken(keys: KeyRing, now = new Date()): Promise<string> {
  return createIdToken(keys, {
    issuer,
    clientId: "rp",
    user: { id: "user-1", email: "ada@example.com", name: "Ada", disabled: false },
    scopes: ["openid"],
    nonce: null,
    authTime: now,
    accessToken: "pca_x",
    now,
  });
}

async function verifiesAgainstJwks(keys: KeyRing, token: string): Promise<boolean> {
  try {
    await jwtVerify(token, createLocalJWKSet(await keys.publicJwks()), { issuer, audience: "rp" });
    return true;
  } catch {
    return false;
  }
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid;

/** A key row as versions before encryption stored it: the private JWK as plain JSON. */
async function plaintextKeyRow(createdAt: Date) {
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

const hexKek = () => randomBytes(32).toString("hex");

describe.each(providers)("signing keys encrypted at rest on %s", (provider: Provider) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** An empty database, a data folder, and settings for them (a generated KEK unless `kek`). */
  async function setup() {
    const { target, remove } = await emptyDatabase(provider);
    const dataDir = mkdtempSync(path.join(tmpdir(), "portcullis-kek-"));
    const settingsWith = (kek?: string): Settings =>
      readSettings({
        DATABASE_URL: target.provider === "sqlite" ? `file:${target.file}` : target.url,
        PORTCULLIS_DATA_DIR: dataDir,
        PORTCULLIS_ADMIN_PASSWORD: "first-admin-password",
        ...(kek ? { PORTCULLIS_KEY_ENCRYPTION_KEY: kek } : {}),
      });
    const connections: Db[] = [];
    const open = () => {
      const db = connect(target);
      connections.push(db);
      return db;
    };
    cleanups.push(async () => {
      await Promise.all(connections.map((db) => db.$disconnect()));
      await remove();
      rmSync(dataDir, { recursive: true, force: true });
    });
    return { dataDir, settingsWith, open };
  }

  const ringFor = (db: Db, settings: Settings, log?: (line: string) => void) =>
    storeKeyRing(prismaOAuthStore(db, { clientCache: false }), privateKeyCipher(keyEncryptionKey(settings)), { log });

  it("stores no readable private key, keeps the generated key-encryption key owner-only, and signs ID tokens the JWKS verifies", async () => {
    const { dataDir, settingsWith, open } = await setup();
    const settings = settingsWith();
    await prepare(settings);
    expect(statSync(path.join(dataDir, "key-encryption-key")).mode & 0o777).toBe(0o600);

    const db = open();
    const [row] = await db.signingKey.findMany();
    expect(row!.privateJwk).toMatch(/^enc:v1:[A-Za-z0-9_-]+:[A-Za-z0-9_-]+$/);
    expect(row!.privateJwk).not.toContain('"d"');
    expect(() => JSON.parse(row!.privateJwk)).toThrow();
    // The public half is not secret and stays readable.
    expect(JSON.parse(row!.publicJwk)).toMatchObject({ kty: "RSA", kid: row!.id });
    expect(JSON.parse(row!.publicJwk)).not.toHaveProperty("d");
    const jwk = JSON.parse(privateKeyCipher(keyEncryptionKey(settings)).open(row!.id, row!.privateJwk)) as {
      d: string;
    };
    expect(jwk.d.length).toBeGreaterThan(300);
    expect(row!.privateJwk).not.toContain(jwk.d.slice(0, 40));

    const keys = ringFor(db, settings);
    const token = await idToken(keys);
    expect(kidOf(token)).toBe(row!.id);
    expect(await verifiesAgainstJwks(keys, token)).toBe(true);
  });

  it("encrypts a plaintext key from an earlier version at start-up, once, however many processes start together", async () => {
    const { settingsWith, open } = await setup();
    const settings = settingsWith(hexKek());
    await prepare(settings);
    const db = open();
    // The database as an earlier version left it: one key, in plaintext.
    await db.signingKey.deleteMany();
    const old = await plaintextKeyRow(new Date(Date.now() - 60_000));
    await db.signingKey.create({ data: old });

    const started = await Promise.all([prepare(settings), prepare(settings), prepare(settings)]);
    expect(started.map((result) => result.signingKeysEncrypted).reduce((a, b) => a + b)).toBe(1);
    expect(started.some((result) => result.signingKeyCreated)).toBe(false);
    expect(started.flatMap((result) => result.unusableSigningKeys)).toEqual([]);
    expect(started.flatMap(describePrepared)).toContain("Encrypted 1 stored signing key(s) at rest.");

    const rows = await db.signingKey.findMany();
    expect(rows.map((row) => row.id)).toEqual([old.id]);
    expect(rows[0]!.privateJwk).toMatch(/^enc:v1:/);
    expect(privateKeyCipher(keyEncryptionKey(settings)).open(old.id, rows[0]!.privateJwk)).toBe(old.privateJwk);
    // Again: nothing left to do.
    expect((await prepare(settings)).signingKeysEncrypted).toBe(0);
    expect((await db.signingKey.findFirstOrThrow()).privateJwk).toBe(rows[0]!.privateJwk);

    // The same key signs, so relying parties see no change.
    const keys = ringFor(db, settings);
    const token = await idToken(keys);
    expect(kidOf(token)).toBe(old.id);
    expect(await verifiesAgainstJwks(keys, token)).toBe(true);
  });

  it("with a lost or wrong key-encryption key, start-up and the running server say so, sign with a new key and keep the old one published", async () => {
    const { settingsWith, open } = await setup();
    const first = settingsWith(hexKek());
    await prepare(first);
    const db = open();
    const oldKid = (await db.signingKey.findFirstOrThrow()).id;
    const oldKeys = ringFor(db, first);
    const oldToken = await idToken(oldKeys);

    // Start-up with another KEK: no crash, a warning naming the key, a new key.
    const second = settingsWith(hexKek());
    const prepared = await prepare(second);
    expect(prepared.unusableSigningKeys).toEqual([
      { kid: oldKid, reason: expect.stringContaining("encrypted with another key-encryption key") },
    ]);
    expect(prepared.signingKeyCreated).toBe(true);
    const lines = describePrepared(prepared).join("\n");
    expect(lines).toContain(`Warning: ID token signing key ${oldKid} cannot be used`);
    expect(lines).toContain("PORTCULLIS_KEY_ENCRYPTION_KEY");
    const retired = await db.signingKey.findUniqueOrThrow({ where: { id: oldKid } });
    expect(retired.retiredAt).not.toBeNull();
    expect(retired.retiredAt!.getTime()).toBeLessThanOrEqual(Date.now());

    const keys = ringFor(db, second);
    const token = await idToken(keys);
    expect(kidOf(token)).not.toBe(oldKid);
    expect(await verifiesAgainstJwks(keys, token)).toBe(true);
    // The old key's tokens still verify: its public key stays published as after a rotation.
    expect((await keys.publicJwks()).keys.map((key) => key.kid)).toContain(oldKid);
    expect(await verifiesAgainstJwks(keys, oldToken)).toBe(true);
    const publishedUntil = retired.retiredAt!.getTime() + retiredPublishedMs;
    const later = storeKeyRing(
      prismaOAuthStore(db, { clientCache: false }),
      privateKeyCipher(keyEncryptionKey(second)),
      {
        now: () => new Date(publishedUntil),
      },
    );
    expect((await later.publicJwks()).keys.map((key) => key.kid)).not.toContain(oldKid);

    // A running server whose KEK changed (several instances at once, each on its own connection):
    // each logs why, and all sign with the one new key that got stored.
    const third = settingsWith(hexKek());
    const before = (await db.signingKey.findMany()).map((row) => row.id);
    const logged: string[] = [];
    const rings = [open(), open(), open()].map((connection) => ringFor(connection, third, (line) => logged.push(line)));
    const tokens = await Promise.all(rings.map((ring) => idToken(ring)));
    const kids = new Set(tokens.map(kidOf));
    expect(kids.size).toBe(1);
    const [newKid] = kids;
    expect(before).not.toContain(newKid);
    expect(await db.signingKey.count({ where: { retiredAt: null } })).toBe(1);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0]).toContain("cannot be used: it was encrypted with another key-encryption key");
    for (const [i, ring] of rings.entries()) expect(await verifiesAgainstJwks(ring, tokens[i]!)).toBe(true);
  });

  it("a private key copied into another key's row fails to decrypt and is never used", async () => {
    const { settingsWith, open } = await setup();
    const settings = settingsWith(hexKek());
    await prepare(settings);
    const db = open();
    const cipher = privateKeyCipher(keyEncryptionKey(settings));
    const signing = await db.signingKey.findFirstOrThrow();
    // Another key (as a rotation would store), whose sealed private key is copied over the signing one's.
    const other = await generateSigningKey(new Date(), cipher);
    await db.signingKey.create({ data: { ...other, retiredAt: new Date(Date.now() - 1000) } });
    await db.signingKey.update({ where: { id: signing.id }, data: { privateJwk: other.privateJwk } });

    expect(() => cipher.open(signing.id, other.privateJwk)).toThrow(/fails authentication/);
    const logged: string[] = [];
    const keys = ringFor(db, settings, (line) => logged.push(line));
    const token = await idToken(keys);
    expect([signing.id, other.id]).not.toContain(kidOf(token));
    expect(await verifiesAgainstJwks(keys, token)).toBe(true);
    expect(logged).toEqual([
      expect.stringContaining(`signing key ${signing.id} cannot be used: it fails authentication`),
    ]);
  });
});

describe("signing keys while the database is out of reach", () => {
  it("the keys in memory keep signing and stay published; a fresh ring fails rather than invent keys", async () => {
    const { target, remove } = await emptyDatabase("postgresql");
    const dataDir = mkdtempSync(path.join(tmpdir(), "portcullis-kek-"));
    const settings = readSettings({
      DATABASE_URL: target.provider === "postgresql" ? target.url : "",
      PORTCULLIS_DATA_DIR: dataDir,
      PORTCULLIS_ADMIN_PASSWORD: "first-admin-password",
    });
    const db = connect(target);
    try {
      await prepare(settings);
      const cipher = privateKeyCipher(keyEncryptionKey(settings));
      let now = new Date();
      const logged: string[] = [];
      const keys = storeKeyRing(prismaOAuthStore(db, { clientCache: false }), cipher, {
        now: () => now,
        log: (line) => logged.push(line),
      });
      const kid = kidOf(await idToken(keys, now));
      // The database goes away (dropped, with its connections), and the keys are due for a re-read.
      await remove();
      now = new Date(now.getTime() + 6 * 60_000);
      const token = await idToken(keys, now);
      expect(kidOf(token)).toBe(kid);
      expect((await keys.publicJwks()).keys.map((key) => key.kid)).toEqual([kid]);
      expect(logged).toEqual([expect.stringContaining("Signing keys could not be re-read")]);
      const fresh = storeKeyRing(prismaOAuthStore(db, { clientCache: false }), cipher);
      await expect(fresh.publicJwks()).rejects.toThrow();
    } finally {
      await db.$disconnect().catch(() => {});
      await remove();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
