/**
 * ID token signing keys (lib/oauth/oidc/keys.ts) on real, migrated SQLite and PostgreSQL
 * databases: the first key made at start-up exactly once, however many processes start together;
 * rotation, with the new key published before it signs and the old one published until its ID
 * tokens have expired; and `npm run cli -- rotate-signing-key`.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor, type Actor } from "@/lib/audit/record";
import { runCli } from "@/lib/cli/cli";
import { readSettings } from "@/lib/config/settings";
import { connect, type Db } from "@/lib/db/client";
import { prismaOAuthStore } from "@/lib/db/oauth-store";
import { createIdToken, idTokenLifetimeSeconds } from "@/lib/oauth/oidc/id-token";
import {
  generateSigningKey,
  publishLeadMs,
  recheckMs,
  refreshMs,
  retiredPublishedMs,
  storeKeyRing,
  type KeyRing,
  type PrivateKeyCipher,
} from "@/lib/oauth/oidc/keys";
import type { OAuthStore } from "@/lib/oauth/store";
import { prepare } from "@/lib/setup/bootstrap";
import { privateKeyCipher } from "@/lib/signing-keys/encryption";
import { rotateSigningKey } from "@/lib/signing-keys/rotate";
import { testCipher as cipher } from "../support/protocol.ts";
import { emptyDatabase, freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

const minute = 60_000;
const operator: Actor = { kind: "user", id: "admin-1", email: "ops@example.com", ip: "203.0.113.9" };
const issuer = "http://localhost:3000";
const user = { id: "user-1", email: "ada@example.com", name: "Ada", disabled: false };

async function idToken(keys: KeyRing, now: Date): Promise<string> {
  return createIdToken(keys, {
    issuer,
    clientId: "rp",
    user,
    scopes: ["openid"],
    nonce: null,
    authTime: now,
    accessToken: "pca_x",
    now,
  });
}

/** Whether a relying party holding the JWKS served at `at` accepts the token at `at`. */
async function verifies(keys: KeyRing, token: string, at: Date): Promise<boolean> {
  try {
    await jwtVerify(token, createLocalJWKSet(await keys.publicJwks()), { issuer, audience: "rp", currentDate: at });
    return true;
  } catch {
    return false;
  }
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid;
const publishedKids = async (keys: KeyRing) => (await keys.publicJwks()).keys.map((key) => key.kid).sort();

describe.each(providers)("signing keys on %s", (provider: Provider) => {
  it("start-up makes exactly one first key, however many processes prepare a new database at once", async () => {
    const { target, remove } = await emptyDatabase(provider);
    const dataDir = mkdtempSync(path.join(tmpdir(), "portcullis-keys-"));
    const settings = readSettings({
      DATABASE_URL: target.provider === "sqlite" ? `file:${target.file}` : target.url,
      PORTCULLIS_DATA_DIR: dataDir,
      PORTCULLIS_ADMIN_PASSWORD: "first-admin-password",
    });
    const db = connect(target);
    try {
      const started = await Promise.all([prepare(settings), prepare(settings), prepare(settings)]);
      expect(started.filter((result) => result.signingKeyCreated)).toHaveLength(1);
      expect(started.filter((result) => result.admin !== null)).toHaveLength(1);
      const [key] = await db.signingKey.findMany();
      expect(await db.signingKey.count()).toBe(1);
      expect(key!.retiredAt).toBeNull();
      // A restart keeps it.
      expect((await prepare(settings)).signingKeyCreated).toBe(false);
      expect((await db.signingKey.findMany()).map((row) => row.id)).toEqual([key!.id]);
    } finally {
      await db.$disconnect();
      await remove();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe("on one database", () => {
    let t: TestDatabase;
    let db: Db;
    let store: OAuthStore;

    beforeAll(async () => {
      t = await freshDatabase(provider);
      db = t.db;
      store = prismaOAuthStore(db, { clientCache: false });
    });
    afterAll(async () => {
      await t?.drop();
    });

    it("stores one first key when separate connections race to store theirs", async () => {
      const connections = [1, 2, 3, 4].map(() => connect(t.target));
      try {
        const stores = connections.map((connection) => prismaOAuthStore(connection, { clientCache: false }));
        const keys = await Promise.all(stores.map(() => generateSigningKey(new Date(), cipher)));
        const saved = await Promise.all(stores.map((racer, i) => racer.saveFirstSigningKey(keys[i]!)));
        expect(saved.filter(Boolean)).toHaveLength(1);
        const stored = await db.signingKey.findMany();
        expect(stored.map((row) => row.id)).toEqual([keys[saved.indexOf(true)]!.id]);
      } finally {
        await Promise.all(connections.map((connection) => connection.$disconnect()));
      }
    });

    it("instances that all find no key at once sign with the one key that got stored", async () => {
      await db.signingKey.deleteMany();
      const connections = [1, 2, 3].map(() => connect(t.target));
      try {
        const rings = connections.map((connection) =>
          storeKeyRing(prismaOAuthStore(connection, { clientCache: false }), cipher),
        );
        const tokens = await Promise.all(rings.map((ring) => idToken(ring, new Date())));
        const [stored] = await db.signingKey.findMany();
        expect(await db.signingKey.count()).toBe(1);
        expect(tokens.map(kidOf)).toEqual([stored!.id, stored!.id, stored!.id]);
      } finally {
        await Promise.all(connections.map((connection) => connection.$disconnect()));
      }
    });

    it("rotation: the new key is published before it signs; the old one signs until then and stays published until its last ID token expires", async () => {
      await db.signingKey.deleteMany();
      let now = new Date("2030-01-01T00:00:00.000Z");
      const keys = storeKeyRing(store, cipher, { now: () => now });
      // A database without keys (prepared by an older version) gets one on first use; it signs at once.
      const first = await idToken(keys, now);
      const oldKid = kidOf(first);
      expect(await publishedKids(keys)).toEqual([oldKid]);
      expect(await verifies(keys, first, now)).toBe(true);

      now = new Date(now.getTime() + 60 * minute);
      expect(await publishedKids(keys)).toEqual([oldKid]);
      const readAt = now;
      now = new Date(now.getTime() + minute);
      const rotatedAt = now;
      const rotation = await rotateSigningKey(db, cipher, rotatedAt, operator);
      const newKid = rotation.created.kid;
      expect(rotation).toEqual({
        created: { kid: newKid, createdAt: rotatedAt, signsFrom: new Date(rotatedAt.getTime() + publishLeadMs) },
        retired: [
          {
            kid: oldKid,
            signsUntil: new Date(rotatedAt.getTime() + publishLeadMs),
            publishedUntil: new Date(rotatedAt.getTime() + publishLeadMs + retiredPublishedMs),
          },
        ],
        deleted: 0,
      });

      // The ring keeps its keys in memory: the new key shows once it re-reads them.
      expect(await publishedKids(keys)).toEqual([oldKid]);
      now = new Date(readAt.getTime() + refreshMs);
      expect(await publishedKids(keys)).toEqual([newKid, oldKid].sort());
      // Published, but not signing yet: a relying party may still hold the JWKS without it.
      const beforeSwitch = await idToken(keys, now);
      expect(kidOf(beforeSwitch)).toBe(oldKid);

      now = new Date(rotatedAt.getTime() + publishLeadMs - 1);
      const lastOld = await idToken(keys, now);
      expect(kidOf(lastOld)).toBe(oldKid);
      now = new Date(rotatedAt.getTime() + publishLeadMs);
      const firstNew = await idToken(keys, now);
      expect(kidOf(firstNew)).toBe(newKid);
      expect(await verifies(keys, firstNew, now)).toBe(true);

      // The old key's last ID token verifies until it expires; then the key leaves the JWKS.
      const lastOldExpiry = new Date(rotatedAt.getTime() + publishLeadMs - 1 + idTokenLifetimeSeconds * 1000 - 1000);
      now = lastOldExpiry;
      expect(await verifies(keys, lastOld, now)).toBe(true);
      now = new Date(rotatedAt.getTime() + publishLeadMs + retiredPublishedMs - 1);
      expect(await publishedKids(keys)).toEqual([newKid, oldKid].sort());
      now = new Date(rotatedAt.getTime() + publishLeadMs + retiredPublishedMs);
      expect(await publishedKids(keys)).toEqual([newKid]);
      expect(kidOf(await idToken(keys, now))).toBe(newKid);

      // A ring that starts after the rotation (another instance) agrees at every moment.
      const later = storeKeyRing(store, cipher, { now: () => new Date(rotatedAt.getTime() + minute) });
      expect(kidOf(await idToken(later, new Date(rotatedAt.getTime() + minute)))).toBe(oldKid);
      expect(await publishedKids(later)).toEqual([newKid, oldKid].sort());
      expect(await db.signingKey.count()).toBe(2);
    });

    it("a rotation elsewhere (the CLI, another worker) is published within a second; a ring told to forget reads at once", async () => {
      await db.signingKey.deleteMany();
      let now = new Date("2031-01-01T00:00:00.000Z");
      const keys = storeKeyRing(store, cipher, { now: () => now });
      const oldKid = kidOf(await idToken(keys, now));
      const other = storeKeyRing(store, cipher, { now: () => now });
      expect(await publishedKids(other)).toEqual([oldKid]);

      now = new Date(now.getTime() + 10_000);
      const rotation = await rotateSigningKey(db, cipher, now, operator);
      const newKid = rotation.created.kid;
      // Under recheckMs since the last read: the keys in memory answer, nothing is read.
      now = new Date(now.getTime() + recheckMs - 1);
      expect(await publishedKids(keys)).toEqual([oldKid]);
      // Past it, they answer once more while being read again in the background.
      now = new Date(now.getTime() + 2);
      expect(await publishedKids(keys)).toEqual([oldKid]);
      await expect.poll(() => publishedKids(keys), { timeout: 2000, interval: 10 }).toEqual([newKid, oldKid].sort());
      // Still signing with the old key: the new one signs only publishLeadMs after the rotation.
      expect(kidOf(await idToken(keys, now))).toBe(oldKid);

      // forget() (a broadcast from a worker that changed the keys): the very next use reads them.
      other.forget();
      expect(await publishedKids(other)).toEqual([newKid, oldKid].sort());
    });

    it("rotating again before the last rotation took effect keeps the key that signs now signing until the newest takes over", async () => {
      await db.signingKey.deleteMany();
      const start = new Date("2031-01-01T00:00:00.000Z");
      await store.saveFirstSigningKey(await generateSigningKey(start, cipher));
      const current = (await db.signingKey.findFirstOrThrow()).id;
      const t1 = new Date(start.getTime() + 60 * minute);
      const t2 = new Date(t1.getTime() + minute);
      const first = await rotateSigningKey(db, cipher, t1, cliActor);
      const second = await rotateSigningKey(db, cipher, t2, cliActor);
      expect(second.retired.map((key) => key.kid).sort()).toEqual([first.created.kid]);
      const at = (time: Date) => storeKeyRing(store, cipher, { now: () => time });
      // Until the first successor's lead time is over, the original key still signs...
      expect(kidOf(await idToken(at(t2), t2))).toBe(current);
      // ...and then the first successor, until the second one's lead time is over.
      const t3 = new Date(t1.getTime() + publishLeadMs);
      expect(kidOf(await idToken(at(t3), t3))).toBe(first.created.kid);
      const t4 = new Date(t2.getTime() + publishLeadMs);
      expect(kidOf(await idToken(at(t4), t4))).toBe(second.created.kid);
    });

    it("a rotation deletes the keys whose publication has ended, and is audited with key ids only", async () => {
      const rotator: Actor = { kind: "user", id: "admin-2", email: "keys@example.com", ip: "203.0.113.10" };
      await db.signingKey.deleteMany();
      const start = new Date("2032-01-01T00:00:00.000Z");
      await store.saveFirstSigningKey(await generateSigningKey(start, cipher));
      const original = (await db.signingKey.findFirstOrThrow()).id;
      const t1 = new Date(start.getTime() + 60 * minute);
      const first = await rotateSigningKey(db, cipher, t1, rotator);
      // The original key signs until t1 + lead and is published for retiredPublishedMs after that.
      const stillPublished = new Date(t1.getTime() + publishLeadMs + retiredPublishedMs - 1);
      const second = await rotateSigningKey(db, cipher, stillPublished, rotator);
      expect(second.deleted).toBe(0);
      expect(await db.signingKey.count()).toBe(3);
      const past = new Date(t1.getTime() + publishLeadMs + retiredPublishedMs + 1);
      const third = await rotateSigningKey(db, cipher, past, rotator);
      expect(third.deleted).toBe(1);
      const left = (await db.signingKey.findMany()).map((key) => key.id).sort();
      expect(left).toEqual([first.created.kid, second.created.kid, third.created.kid].sort());
      expect(left).not.toContain(original);

      const entries = await db.auditEvent.findMany({
        where: { action: "signing_key.rotated", actorId: rotator.id },
        orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      });
      expect(entries.map((entry) => ({ ip: entry.ip, details: JSON.parse(entry.details) }))).toEqual([
        { ip: rotator.ip, details: { created: first.created.kid, retired: [original], deleted: 0 } },
        { ip: rotator.ip, details: { created: second.created.kid, retired: [first.created.kid], deleted: 0 } },
        { ip: rotator.ip, details: { created: third.created.kid, retired: [second.created.kid], deleted: 1 } },
      ]);
      // No key material in the log: only ids, which the JWKS publishes anyway.
      const privateParts = (await db.signingKey.findMany()).map(
        (key) => (JSON.parse(cipher.open(key.id, key.privateJwk)) as { d: string }).d,
      );
      for (const entry of entries) for (const d of privateParts) expect(entry.details).not.toContain(d);
    });

    it("npm run cli -- rotate-signing-key [--json] stores a new key and retires the current one", async () => {
      await db.signingKey.deleteMany();
      await store.saveFirstSigningKey(await generateSigningKey(new Date(), cipher));
      const [old] = await db.signingKey.findMany();

      const json = await cli(db, "rotate-signing-key", "--json");
      expect(json.code).toBe(0);
      const output = JSON.parse(json.stdout) as {
        created: { kid: string; createdAt: string; signsFrom: string };
        retired: { kid: string; signsUntil: string; publishedUntil: string }[];
      };
      const created = await db.signingKey.findUniqueOrThrow({ where: { id: output.created.kid } });
      expect(created.retiredAt).toBeNull();
      expect(JSON.parse(created.publicJwk)).toMatchObject({ kty: "RSA", kid: created.id, alg: "RS256", use: "sig" });
      expect(new Date(output.created.signsFrom).getTime() - new Date(output.created.createdAt).getTime()).toBe(
        publishLeadMs,
      );
      expect(
        await db.auditEvent.count({ where: { action: "signing_key.rotated", actorEmail: "cli" } }),
      ).toBeGreaterThan(0);
      expect(output.retired).toEqual([
        {
          kid: old!.id,
          signsUntil: output.created.signsFrom,
          publishedUntil: new Date(new Date(output.created.signsFrom).getTime() + retiredPublishedMs).toISOString(),
        },
      ]);
      const retired = await db.signingKey.findUniqueOrThrow({ where: { id: old!.id } });
      expect(retired.retiredAt?.toISOString()).toBe(output.created.signsFrom);

      const text = await cli(db, "rotate-signing-key");
      expect(text.code).toBe(0);
      const newest = (await db.signingKey.findMany({ where: { retiredAt: null } })).map((row) => row.id);
      expect(newest).toHaveLength(1);
      expect(text.stdout).toContain(`Created signing key ${newest[0]}: published now, signs from `);
      expect(text.stdout).toContain(`Retired signing key ${output.created.kid}: signs until `);
      expect(await db.signingKey.count()).toBe(3);

      // Run without the server's key-encryption key, it refuses rather than store a key no server can use.
      const elsewhere = await cliWith(privateKeyCipher(randomBytes(32)), db, "rotate-signing-key");
      expect(elsewhere.code).toBe(1);
      expect(elsewhere.stderr).toContain("key-encryption key cannot read the signing keys in use");
      expect(await db.signingKey.count()).toBe(3);

      const wrong = await cli(db, "rotate-signing-key", "--now");
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toContain("--now");
      expect(await db.signingKey.count()).toBe(3);
      expect((await cli(db, "help")).stdout).toContain("rotate-signing-key [--json]");
    });
  });
});

function cli(db: Db, ...argv: string[]) {
  return cliWith(cipher, db, ...argv);
}

async function cliWith(keys: PrivateKeyCipher, db: Db, ...argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(
    db,
    argv,
    { out: (line) => stdout.push(line), err: (line) => stderr.push(line) },
    { cipher: keys },
  );
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}
