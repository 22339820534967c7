/**
 * lib/db/oauth-store.ts against real, migrated SQLite and PostgreSQL databases.
 *
 * The token endpoint's hot path (findClient, and issueTokens without a refresh token) runs its
 * statements on the driver under Prisma (lib/db/client.ts driverOf) rather than through Prisma. It
 * is checked here against the same store on a "plain" Prisma client, one made without connect()
 * and so without a reachable driver, which keeps every method on Prisma: the same ClientRecord,
 * tokens that Prisma reads, compares and sorts like its own, no caching of clients, no write lost
 * to (and no read of) another request's open transaction. The rest of the store, on Prisma in
 * both, is checked for what lib/oauth/store.ts promises: codes redeem and refresh tokens rotate
 * exactly once under concurrency, revokeFamily and revokeTokensFromCode revoke exactly their rows.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  createApplication,
  deleteApplication,
  rotateClientSecret,
  updateApplication,
} from "@/lib/applications/commands";
import { systemActor } from "@/lib/audit/record";
import { connect, driverOf, type Db, type Driver } from "@/lib/db/client";
import { prismaOAuthStore } from "@/lib/db/oauth-store";
import { PrismaClient as PostgresClient } from "@/lib/generated/postgres/client";
import { PrismaClient as SqliteClient } from "@/lib/generated/sqlite/client";
import { clearTokens } from "@/lib/maintenance/clear-tokens";
import type { ProtocolContext } from "@/lib/oauth/context";
import { credentialMatches, hashCredential } from "@/lib/oauth/secrets";
import type { ClientRecord, NewAccessToken, NewTokens, OAuthStore } from "@/lib/oauth/store";
import { mintTokens, type MintRequest } from "@/lib/oauth/tokens";
import { tokenCounts } from "@/lib/tokens/queries";
import { createUser } from "@/lib/users/commands";
import { testProtocol } from "../support/protocol.ts";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";
import { whileAnotherProcessWrites } from "../support/sqlite-writer.ts";

const second = 1000;
const hour = 3600 * second;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const tokenHash = () => randomBytes(32).toString("hex");
/** The shape of Prisma's `@default(cuid())`. */
const cuidPattern = /^c[a-z0-9]{24}$/;

/** A client with several URIs of each kind, in an order that is not alphabetical, and every flag set. */
const richInput = {
  name: "Rich",
  clientType: "confidential",
  grantTypes: ["refresh_token", "client_credentials", "authorization_code"],
  redirectUris: ["https://z.example.com/cb", "https://a.example.com/cb", "https://m.example.com/cb"],
  postLogoutRedirectUris: ["https://z.example.com/bye", "https://a.example.com/bye"],
  allowedOrigins: ["https://z.example.com", "https://a.example.com", "https://m.example.com"],
  allowedScopes: ["write", "read", "openid"],
  algorithm: "RS256",
  accessTokenLifetime: 120,
  skipAuthorization: true,
  logoUri: "https://a.example.com/logo.png",
};

/** The opposite flags, the other optional URLs and lifetime, no URIs at all. */
const serviceInput = {
  name: "Service",
  clientType: "confidential",
  grantTypes: ["password", "client_credentials"],
  allowedScopes: ["read"],
  pkceRequired: false,
  introspectAnyToken: true,
  refreshTokenLifetime: 600,
  homepageUri: "https://service.example.com/",
  policyUri: "https://service.example.com/privacy",
  tosUri: "https://service.example.com/terms",
};

/** No secret, no scopes (any scope), no lifetimes. */
const publicInput = {
  name: "Public SPA",
  clientType: "public",
  grantTypes: ["authorization_code"],
  redirectUris: ["http://127.0.0.1:8080/cb"],
};

/** Like the benchmark's client (bench/setup.ts): one grant type, two scopes, one CORS origin. */
const benchInput = {
  name: "Benchmark service",
  clientType: "confidential",
  grantTypes: ["client_credentials"],
  allowedScopes: ["read", "write"],
  allowedOrigins: ["https://bench.example.com"],
};

/** A Prisma client made as the app's is, but without connect(): driverOf cannot reach its driver. */
function plainClient(t: TestDatabase): Db {
  return t.target.provider === "sqlite"
    ? new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: t.target.file }) })
    : (new PostgresClient({ adapter: new PrismaPg({ connectionString: t.target.url }) }) as unknown as Db);
}

const protocolFor = (db: Db, store: OAuthStore, now?: () => Date): ProtocolContext =>
  testProtocol(db, { store, now, lifetimes: { refreshToken: 0 } });

describe.each(providers)("OAuth store on %s: the driver hot path against Prisma", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  let plain: Db;
  let driver: Driver;
  /** The store as the app makes it: hot path on the driver. */
  let store: OAuthStore;
  /** The same store on the plain client: everything through Prisma. */
  let prismaStore: OAuthStore;
  let ctx: ProtocolContext;
  let userId: string;

  async function app(input: Record<string, unknown>) {
    const result = await createApplication(db, input, systemActor);
    if (!result.ok) throw new Error(`create failed: ${JSON.stringify(result.errors)}`);
    return result;
  }

  async function client(clientId: string): Promise<ClientRecord> {
    const found = await store.findClient(clientId);
    if (!found) throw new Error(`no client ${clientId}`);
    return found;
  }

  function mint(request: Partial<MintRequest> & { client: ClientRecord }) {
    return mintTokens(ctx, {
      user: null,
      grantType: "client_credentials",
      scopes: ["read"],
      withRefreshToken: false,
      ...request,
    });
  }

  /** An access token row with every column filled in, as the store's interface allows. */
  function fullAccessToken(applicationId: string, now: Date, codeId: string): NewAccessToken {
    return {
      tokenHash: tokenHash(),
      applicationId,
      userId,
      scope: "openid read",
      grantType: "authorization_code",
      familyId: randomUUID(),
      authorizationCodeId: codeId,
      authTime: new Date(now.getTime() - 12_345),
      expiresAt: new Date(now.getTime() + hour + 678),
    };
  }

  async function saveCode(applicationId: string, now = new Date()) {
    const codeHash = tokenHash();
    await store.saveAuthorizationCode({
      codeHash,
      applicationId,
      userId,
      redirectUri: "https://z.example.com/cb",
      redirectUriProvided: true,
      scope: "openid read",
      codeChallenge: null,
      codeChallengeMethod: null,
      nonce: null,
      authTime: now,
      expiresAt: new Date(now.getTime() + 60 * second),
    });
    const code = await store.findAuthorizationCode(codeHash);
    if (!code) throw new Error("code not saved");
    return code;
  }

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
    plain = plainClient(t);
    const reachable = await driverOf(db);
    if (!reachable) throw new Error("connect() must expose the driver");
    driver = reachable;
    store = prismaOAuthStore(db);
    prismaStore = prismaOAuthStore(plain);
    ctx = protocolFor(db, store);
    const user = await createUser(
      db,
      { email: `owner-${provider}@example.com`, password: "a long password 1", name: "Owner" },
      systemActor,
    );
    if (!user.ok) throw new Error(JSON.stringify(user.errors));
    userId = user.user.id;
  });
  afterAll(async () => {
    await plain?.$disconnect();
    await t?.drop();
  });

  it("reaches the driver of a client from connect(), and the store runs its hot-path statements on it", async () => {
    expect(driver.provider).toBe(provider);
    expect(await driverOf(plain)).toBeUndefined();
    const service = await app(benchInput);
    // A new store prepares its statements on first use.
    const fresh = prismaOAuthStore(db);
    const seen: string[] = [];
    const spy = driver.provider === "sqlite" ? vi.spyOn(driver.connection, "prepare") : vi.spyOn(driver.pool, "query");
    try {
      const found = await fresh.findClient(service.application.clientId);
      expect(found?.clientId).toBe(service.application.clientId);
      await fresh.issueTokens(mint({ client: found! }).tokens);
      for (const [first] of spy.mock.calls as unknown[][]) {
        seen.push(typeof first === "string" ? first : String((first as { text?: string }).text));
      }
    } finally {
      spy.mockRestore();
    }
    // Statements of the store's own, not Prisma's (which quotes table names differently on SQLite
    // and uses no json_agg on PostgreSQL).
    expect(seen.some((sql) => /json_(group_array|agg)\(/.test(sql) && /WHERE a\."?clientId"? = /.test(sql))).toBe(true);
    expect(seen.some((sql) => /^INSERT INTO "?AccessToken"? \(/.test(sql))).toBe(true);
  });

  it("finds the same ClientRecord as Prisma, with URIs in their given order", async () => {
    const rich = await app(richInput);
    const service = await app(serviceInput);
    const spa = await app(publicInput);
    const bench = await app(benchInput);
    for (const saved of [rich, service, spa, bench]) {
      const viaDriver = await store.findClient(saved.application.clientId);
      expect(viaDriver).not.toBeNull();
      expect(viaDriver).toStrictEqual(await prismaStore.findClient(saved.application.clientId));
      expect(viaDriver!.id).toBe(saved.application.id);
      expect(viaDriver!.name).toBe(saved.application.name);
    }

    const fast = await client(rich.application.clientId);
    expect(fast.clientType).toBe("confidential");
    expect(credentialMatches(rich.clientSecret!, fast.secretHash)).toBe(true);
    expect(fast.redirectUris).toEqual(richInput.redirectUris);
    expect(fast.postLogoutRedirectUris).toEqual(richInput.postLogoutRedirectUris);
    expect(fast.allowedOrigins).toEqual(richInput.allowedOrigins);
    expect(fast.grantTypes).toEqual([...richInput.grantTypes].sort());
    expect(fast.allowedScopes).toEqual([...richInput.allowedScopes].sort());
    expect(fast.algorithm).toBe("RS256");
    expect(fast.skipAuthorization).toBe(true);
    expect(fast.pkceRequired).toBe(true);
    expect(fast.introspectAnyToken).toBe(false);
    expect(fast.accessTokenLifetime).toBe(richInput.accessTokenLifetime);
    expect(fast.refreshTokenLifetime).toBeNull();
    expect(fast.logoUri).toBe(richInput.logoUri);
    expect(fast.homepageUri).toBeNull();

    const other = await client(service.application.clientId);
    expect(other.grantTypes).toEqual([...serviceInput.grantTypes].sort());
    expect(other.redirectUris).toEqual([]);
    expect(other.postLogoutRedirectUris).toEqual([]);
    expect(other.allowedOrigins).toEqual([]);
    expect(other.algorithm).toBe("none");
    expect(other.skipAuthorization).toBe(false);
    expect(other.pkceRequired).toBe(false);
    expect(other.introspectAnyToken).toBe(true);
    expect(other.accessTokenLifetime).toBeNull();
    expect(other.refreshTokenLifetime).toBe(serviceInput.refreshTokenLifetime);
    expect([other.logoUri, other.homepageUri, other.policyUri, other.tosUri]).toEqual([
      null,
      serviceInput.homepageUri,
      serviceInput.policyUri,
      serviceInput.tosUri,
    ]);

    const pub = await client(spa.application.clientId);
    expect(pub.clientType).toBe("public");
    expect(pub.secretHash).toBeNull();
    expect(pub.allowedScopes).toEqual([]);
    expect(pub.redirectUris).toEqual(publicInput.redirectUris);

    expect(await store.findClient("no-such-client")).toBeNull();
    expect(await prismaStore.findClient("no-such-client")).toBeNull();
  });

  it("inserts access tokens that Prisma reads back exactly like the ones it inserted", async () => {
    const rich = await app(richInput);
    const code = await saveCode(rich.application.id);
    const now = new Date();
    const viaDriver = fullAccessToken(rich.application.id, now, code.id);
    const viaPrisma = { ...fullAccessToken(rich.application.id, now, code.id), familyId: viaDriver.familyId };

    const before = new Date();
    await store.issueTokens({ access: viaDriver });
    const after = new Date();
    await prismaStore.issueTokens({ access: viaPrisma });

    // Raw rows, read by Prisma on its own connection.
    const row = await plain.accessToken.findUniqueOrThrow({ where: { tokenHash: viaDriver.tokenHash } });
    const prismaRow = await plain.accessToken.findUniqueOrThrow({ where: { tokenHash: viaPrisma.tokenHash } });
    expect(row).toMatchObject({ ...viaDriver, revokedAt: null, lastUsedAt: null });
    expect(row.authTime!.getTime()).toBe(viaDriver.authTime!.getTime());
    expect(row.expiresAt.getTime()).toBe(viaDriver.expiresAt.getTime());
    expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(row.createdAt.getTime()).toBeLessThanOrEqual(after.getTime());
    expect(row.id).toMatch(cuidPattern);
    expect(prismaRow.id).toMatch(cuidPattern);
    const comparable = (r: typeof row) => ({ ...r, id: "", tokenHash: "", createdAt: null });
    expect(comparable(row)).toStrictEqual(comparable(prismaRow));

    // Through the store's own reads, on either client.
    const found = await store.findAccessToken(viaDriver.tokenHash);
    const foundByPrisma = await prismaStore.findAccessToken(viaPrisma.tokenHash);
    expect(found).toStrictEqual(await prismaStore.findAccessToken(viaDriver.tokenHash));
    expect({ ...found, id: "", createdAt: null }).toStrictEqual({ ...foundByPrisma, id: "", createdAt: null });
    expect(found!.clientId).toBe(rich.application.clientId);
    // The code's tokens include this one, as its foreign key says.
    expect(await plain.accessToken.count({ where: { authorizationCode: { codeHash: code.codeHash } } })).toBe(2);
  });

  it("inserts authorization codes that Prisma reads back exactly like the ones it inserted", async () => {
    const rich = await app(richInput);
    const now = new Date();
    const full = (redirectUriProvided: boolean) => ({
      codeHash: tokenHash(),
      applicationId: rich.application.id,
      userId,
      redirectUri: "https://z.example.com/cb?x=1",
      redirectUriProvided,
      scope: "openid read",
      codeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      codeChallengeMethod: "S256" as const,
      nonce: "n-0S6_WzA2Mj",
      authTime: new Date(now.getTime() - 12_345),
      expiresAt: new Date(now.getTime() + 60_678),
    });
    for (const redirectUriProvided of [true, false]) {
      const viaDriver = full(redirectUriProvided);
      const viaPrisma = full(redirectUriProvided);
      const before = new Date();
      await store.saveAuthorizationCode(viaDriver);
      const after = new Date();
      await prismaStore.saveAuthorizationCode(viaPrisma);
      const row = await plain.authorizationCode.findUniqueOrThrow({ where: { codeHash: viaDriver.codeHash } });
      const prismaRow = await plain.authorizationCode.findUniqueOrThrow({ where: { codeHash: viaPrisma.codeHash } });
      expect(row).toMatchObject({ ...viaDriver, consumedAt: null });
      expect(row.id).toMatch(cuidPattern);
      expect(row.createdAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
      expect(row.createdAt.getTime()).toBeLessThanOrEqual(after.getTime());
      const comparable = (r: typeof row) => ({ ...r, id: "", codeHash: "", createdAt: null });
      expect(comparable(row)).toStrictEqual(comparable(prismaRow));
      // Nullable columns stay null, as Prisma writes them.
      const bare = { ...full(redirectUriProvided), codeChallenge: null, codeChallengeMethod: null, nonce: null };
      await store.saveAuthorizationCode(bare);
      expect(await plain.authorizationCode.findUniqueOrThrow({ where: { codeHash: bare.codeHash } })).toMatchObject(
        bare,
      );
    }
  });

  it("issues minted client-credentials tokens with the client's lifetime, and unique cuid ids", async () => {
    const rich = await app(richInput);
    const fast = await client(rich.application.clientId);
    const at = new Date();
    const fixed = { ...ctx, now: () => at };
    const minted = mintTokens(fixed, {
      client: fast,
      user: null,
      grantType: "client_credentials",
      scopes: ["read"],
      withRefreshToken: false,
    });
    await store.issueTokens(minted.tokens);
    const stored = await store.findAccessToken(hashCredential(minted.response.access_token));
    expect(stored).toMatchObject({
      applicationId: rich.application.id,
      clientId: rich.application.clientId,
      userId: null,
      scope: "read",
      grantType: "client_credentials",
      familyId: null,
      authTime: null,
      revokedAt: null,
    });
    expect(stored!.expiresAt.getTime()).toBe(at.getTime() + richInput.accessTokenLifetime * second);

    const many = Array.from({ length: 20 }, () => mint({ client: fast }).tokens);
    await Promise.all(many.map((tokens) => store.issueTokens(tokens)));
    const rows = await plain.accessToken.findMany({
      where: { tokenHash: { in: many.map((tokens) => tokens.access.tokenHash) } },
      select: { id: true },
    });
    expect(rows).toHaveLength(many.length);
    expect(new Set(rows.map((r) => r.id)).size).toBe(many.length);
    for (const r of rows) expect(r.id).toMatch(cuidPattern);
  });

  it("commits one turn's access tokens together; one that breaks a constraint fails only its own request", async () => {
    const bench = await app(benchInput);
    const fast = await client(bench.application.clientId);
    const taken = mint({ client: fast }).tokens;
    await store.issueTokens(taken);
    const batch = Array.from({ length: 12 }, () => mint({ client: fast }).tokens);
    const duplicate = { access: { ...batch[5]!.access, tokenHash: taken.access.tokenHash } };
    batch[5] = duplicate;

    const results = await Promise.allSettled(batch.map((tokens) => store.issueTokens(tokens)));

    expect(results.filter((result) => result.status === "rejected")).toHaveLength(1);
    expect(results[5]!.status).toBe("rejected");
    const others = batch.filter((tokens) => tokens !== duplicate).map((tokens) => tokens.access.tokenHash);
    expect(await plain.accessToken.count({ where: { tokenHash: { in: others } } })).toBe(others.length);
    expect(await plain.accessToken.count({ where: { tokenHash: taken.access.tokenHash } })).toBe(1);
    expect(await plain.accessToken.count({ where: { applicationId: bench.application.id } })).toBe(others.length + 1);
  });

  it("writes dates that Prisma's comparisons, sorting and the app's queries treat like its own", async () => {
    const bench = await app(benchInput);
    const fast = await client(bench.application.clientId);
    const now = new Date();
    const token = (expiresAt: Date): NewTokens => ({
      access: { ...mint({ client: fast }).tokens.access, expiresAt },
    });
    const live = new Date(now.getTime() + hour);
    const dead = new Date(now.getTime() - hour);
    const driverLive = token(live);
    const driverDead = token(dead);
    const prismaLive = token(live);
    const prismaDead = token(dead);
    await store.issueTokens(driverLive);
    await store.issueTokens(driverDead);
    await prismaStore.issueTokens(prismaLive);
    await prismaStore.issueTokens(prismaDead);
    const hashes = (where: object) =>
      plain.accessToken
        .findMany({ where: { applicationId: bench.application.id, ...where }, select: { tokenHash: true } })
        .then((rows) => rows.map((r) => r.tokenHash).sort());

    expect(await hashes({ expiresAt: { gt: now } })).toEqual(
      [driverLive.access.tokenHash, prismaLive.access.tokenHash].sort(),
    );
    expect(await hashes({ expiresAt: { lt: now } })).toEqual(
      [driverDead.access.tokenHash, prismaDead.access.tokenHash].sort(),
    );
    // Equality of stored and given instants, and the edges of a range.
    expect(await hashes({ expiresAt: live })).toEqual(
      [driverLive.access.tokenHash, prismaLive.access.tokenHash].sort(),
    );
    expect(await hashes({ expiresAt: { gt: live } })).toEqual([]);
    expect(await hashes({ expiresAt: { gte: live, lte: live } })).toHaveLength(2);
    expect(await hashes({ createdAt: { lte: new Date(Date.now() + second) } })).toHaveLength(4);
    expect(await hashes({ createdAt: { gt: new Date(Date.now() + second) } })).toEqual([]);
    // The app's own queries: counts of live tokens, and the sweep of dead ones.
    expect(await tokenCounts(db, bench.application.id, now)).toMatchObject({ accessTokens: 2 });
    expect(await tokenCounts(plain, bench.application.id, now)).toMatchObject({ accessTokens: 2 });

    // Creation order, interleaving the two paths, is the order Prisma sorts by createdAt.
    const sequence: string[] = [];
    for (const viaDriver of [true, false, true, false, true]) {
      const tokens = token(live);
      await (viaDriver ? store : prismaStore).issueTokens(tokens);
      sequence.push(tokens.access.tokenHash);
      await pause(3);
    }
    const sorted = await plain.accessToken.findMany({
      where: { tokenHash: { in: sequence } },
      orderBy: [{ createdAt: "asc" }],
      select: { tokenHash: true },
    });
    expect(sorted.map((r) => r.tokenHash)).toEqual(sequence);

    const cleared = await clearTokens(db, { now });
    expect(cleared.accessTokens).toBeGreaterThanOrEqual(2);
    expect(await hashes({ tokenHash: { in: [driverDead.access.tokenHash, prismaDead.access.tokenHash] } })).toEqual([]);
    expect(
      await hashes({ tokenHash: { in: [driverLive.access.tokenHash, prismaLive.access.tokenHash] } }),
    ).toHaveLength(2);
  });

  /**
   * The store's client once it agrees with Prisma's reading: at once on SQLite; on PostgreSQL, which
   * keeps clients in memory, once the change's NOTIFY has arrived (lib/db/client-cache.ts).
   */
  async function settledClient(clientId: string): Promise<ClientRecord | null> {
    const expected = await prismaStore.findClient(clientId);
    if (provider === "sqlite") expect(await store.findClient(clientId)).toStrictEqual(expected);
    else await expect.poll(() => store.findClient(clientId), { timeout: 2000, interval: 5 }).toStrictEqual(expected);
    return expected;
  }

  it("sees a rotated secret, a changed registration and a deleted application (PostgreSQL: once notified)", async () => {
    const rich = await app(richInput);
    const clientId = rich.application.clientId;
    const first = await client(clientId);
    expect(credentialMatches(rich.clientSecret!, first.secretHash)).toBe(true);

    const rotated = await rotateClientSecret(db, rich.application.id, systemActor);
    const afterRotation = (await settledClient(clientId))!;
    expect(credentialMatches(rotated.clientSecret, afterRotation.secretHash)).toBe(true);
    expect(credentialMatches(rich.clientSecret!, afterRotation.secretHash)).toBe(false);

    const changed = {
      ...richInput,
      redirectUris: ["https://m.example.com/cb", "https://z.example.com/cb"],
      allowedScopes: ["read"],
      skipAuthorization: false,
      accessTokenLifetime: 300,
    };
    const updated = await updateApplication(db, rich.application.id, changed, systemActor);
    expect(updated.ok).toBe(true);
    const afterUpdate = (await settledClient(clientId))!;
    expect(afterUpdate.redirectUris).toEqual(changed.redirectUris);
    expect(afterUpdate.allowedScopes).toEqual(["read"]);
    expect(afterUpdate.skipAuthorization).toBe(false);
    expect(afterUpdate.accessTokenLifetime).toBe(300);

    await deleteApplication(db, rich.application.id, systemActor);
    expect(await settledClient(clientId)).toBeNull();
  });

  it("keeps an insert made while another request's transaction is open when that one rolls back", async () => {
    const bench = await app(benchInput);
    const fast = await client(bench.application.clientId);
    const minted = mint({ client: fast });
    const marker = `test.rollback.${randomUUID()}`;
    let entered!: () => void;
    const open = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const other = db
      .$transaction(async (tx) => {
        await tx.auditEvent.create({ data: { action: marker } });
        entered();
        await gate;
        throw new Error("rollback on purpose");
      })
      .catch((error: Error) => error.message);
    await open;
    // The situation under test: on SQLite the shared connection is inside that transaction now.
    if (driver.provider === "sqlite") expect(driver.connection.inTransaction).toBe(true);
    const issuing = store.issueTokens(minted.tokens);
    await pause(20);
    release();
    expect(await other).toBe("rollback on purpose");
    await issuing;
    expect(await plain.auditEvent.count({ where: { action: marker } })).toBe(0);
    expect(await store.findAccessToken(minted.tokens.access.tokenHash)).not.toBeNull();
    expect(await plain.accessToken.count({ where: { tokenHash: minted.tokens.access.tokenHash } })).toBe(1);
  });

  it("keeps its insert and the other transaction's writes when that one commits", async () => {
    const bench = await app(benchInput);
    const fast = await client(bench.application.clientId);
    const minted = mint({ client: fast });
    const marker = `test.commit.${randomUUID()}`;
    let entered!: () => void;
    const open = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const other = db.$transaction(async (tx) => {
      await tx.auditEvent.create({ data: { action: marker } });
      entered();
      await gate;
    });
    await open;
    const issuing = store.issueTokens(minted.tokens);
    await pause(20);
    release();
    await Promise.all([other, issuing]);
    expect(await plain.auditEvent.count({ where: { action: marker } })).toBe(1);
    expect(await plain.accessToken.count({ where: { tokenHash: minted.tokens.access.tokenHash } })).toBe(1);
  });

  it("does not read another request's uncommitted client secret", async () => {
    const bench = await app(benchInput);
    const clientId = bench.application.clientId;
    const committed = (await client(clientId)).secretHash;
    let entered!: () => void;
    const open = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const updating = db
      .$transaction(async (tx) => {
        await tx.application.update({ where: { clientId }, data: { clientSecretHash: "0".repeat(64) } });
        entered();
        await gate;
        throw new Error("rollback on purpose");
      })
      .catch((error: Error) => error.message);
    await open;
    if (driver.provider === "sqlite") expect(driver.connection.inTransaction).toBe(true);
    const reading = store.findClient(clientId);
    await pause(20);
    release();
    expect(await updating).toBe("rollback on purpose");
    expect((await reading)!.secretHash).toBe(committed);
    expect((await client(clientId)).secretHash).toBe(committed);
  });

  it("redeems an authorization code exactly once under concurrency, storing only the winner's tokens", async () => {
    const rich = await app(richInput);
    const fast = await client(rich.application.clientId);
    const user = { id: userId, email: "", name: "", disabled: false };
    const code = await saveCode(rich.application.id);
    expect(code.consumedAt).toBeNull();
    const now = new Date();
    const attempts = Array.from({ length: 5 }, () =>
      mint({
        client: fast,
        user,
        grantType: "authorization_code",
        scopes: ["openid", "read"],
        withRefreshToken: true,
        authorizationCodeId: code.id,
      }),
    );
    const results = await Promise.all(
      attempts.map((minted) => store.redeemAuthorizationCode(code.id, now, minted.tokens)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = attempts[results.indexOf(true)]!;
    expect(
      await plain.accessToken.findMany({ where: { authorizationCodeId: code.id }, select: { tokenHash: true } }),
    ).toEqual([{ tokenHash: winner.tokens.access.tokenHash }]);
    expect(
      await plain.refreshToken.findMany({ where: { authorizationCodeId: code.id }, select: { tokenHash: true } }),
    ).toEqual([{ tokenHash: winner.tokens.refresh!.tokenHash }]);
    expect((await store.findAuthorizationCode(code.codeHash))!.consumedAt!.getTime()).toBe(now.getTime());
    // Consumed is consumed: a later attempt fails too and stores nothing.
    const late = mint({
      client: fast,
      user,
      grantType: "authorization_code",
      withRefreshToken: true,
      authorizationCodeId: code.id,
    });
    expect(await store.redeemAuthorizationCode(code.id, new Date(), late.tokens)).toBe(false);
    expect(await store.findAccessToken(late.tokens.access.tokenHash)).toBeNull();
    expect(await store.findRefreshToken(late.tokens.refresh!.tokenHash)).toBeNull();
  });

  it("rotates a refresh token exactly once, again only within the grace period, never once revoked", async () => {
    const rich = await app(richInput);
    const fast = await client(rich.application.clientId);
    const first = mint({ client: fast, withRefreshToken: true, grantType: "refresh_token" });
    await store.issueTokens(first.tokens);
    const refresh = (await store.findRefreshToken(first.tokens.refresh!.tokenHash))!;
    expect(refresh.clientId).toBe(rich.application.clientId);
    expect(refresh.rotatedAt).toBeNull();
    const now = new Date();
    const successors = Array.from({ length: 4 }, () =>
      mint({ client: fast, withRefreshToken: true, grantType: "refresh_token", familyId: refresh.familyId }),
    );
    const results = await Promise.all(
      successors.map((minted) => store.rotateRefreshToken(refresh.id, now, 0, minted.tokens)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = successors[results.indexOf(true)]!;
    for (const minted of successors) {
      const stored = await store.findRefreshToken(minted.tokens.refresh!.tokenHash);
      expect(stored !== null).toBe(minted === winner);
      expect((await store.findAccessToken(minted.tokens.access.tokenHash)) !== null).toBe(minted === winner);
    }
    expect((await store.findRefreshToken(refresh.tokenHash))!.rotatedAt!.getTime()).toBe(now.getTime());

    // With a grace period the rotated token works again, and keeps its first rotation time.
    const retry = mint({
      client: fast,
      withRefreshToken: true,
      grantType: "refresh_token",
      familyId: refresh.familyId,
    });
    expect(await store.rotateRefreshToken(refresh.id, new Date(now.getTime() + 5 * second), 30, retry.tokens)).toBe(
      true,
    );
    expect((await store.findRefreshToken(refresh.tokenHash))!.rotatedAt!.getTime()).toBe(now.getTime());
    const tooLate = mint({
      client: fast,
      withRefreshToken: true,
      grantType: "refresh_token",
      familyId: refresh.familyId,
    });
    expect(await store.rotateRefreshToken(refresh.id, new Date(now.getTime() + 60 * second), 30, tooLate.tokens)).toBe(
      false,
    );
    expect(await store.findRefreshToken(tooLate.tokens.refresh!.tokenHash)).toBeNull();

    // A revoked token never rotates, grace or not.
    const next = (await store.findRefreshToken(winner.tokens.refresh!.tokenHash))!;
    await store.revokeFamily(next.familyId, new Date());
    const afterRevoke = mint({
      client: fast,
      withRefreshToken: true,
      grantType: "refresh_token",
      familyId: next.familyId,
    });
    expect(await store.rotateRefreshToken(next.id, new Date(), 30, afterRevoke.tokens)).toBe(false);
    expect(await store.findAccessToken(afterRevoke.tokens.access.tokenHash)).toBeNull();
  });

  it("revokes a whole family, hot-path access tokens included, and nothing else", async () => {
    const rich = await app(richInput);
    const fast = await client(rich.application.clientId);
    const family = mint({ client: fast, withRefreshToken: true, grantType: "refresh_token" });
    await store.issueTokens(family.tokens);
    const familyId = family.tokens.refresh!.familyId;
    const rotated = mint({ client: fast, withRefreshToken: true, grantType: "refresh_token", familyId });
    const original = (await store.findRefreshToken(family.tokens.refresh!.tokenHash))!;
    expect(await store.rotateRefreshToken(original.id, new Date(), 0, rotated.tokens)).toBe(true);
    // An access token of the family written on the hot path (issueTokens without a refresh token).
    const hot = { access: { ...mint({ client: fast }).tokens.access, familyId } };
    await store.issueTokens(hot);
    const earlier = new Date(Date.now() - hour);
    const alreadyRevoked = mint({ client: fast, withRefreshToken: true, grantType: "refresh_token", familyId });
    await store.issueTokens(alreadyRevoked.tokens);
    await db.accessToken.update({
      where: { tokenHash: alreadyRevoked.tokens.access.tokenHash },
      data: { revokedAt: earlier },
    });
    const bystander = mint({ client: fast, withRefreshToken: true, grantType: "refresh_token" });
    await store.issueTokens(bystander.tokens);

    const now = new Date();
    await store.revokeFamily(familyId, now);
    const accessRevoked = async (hash: string) => (await store.findAccessToken(hash))!.revokedAt?.getTime() ?? null;
    const refreshRevoked = async (hash: string) => (await store.findRefreshToken(hash))!.revokedAt?.getTime() ?? null;
    for (const tokens of [family.tokens, rotated.tokens]) {
      expect(await accessRevoked(tokens.access.tokenHash)).toBe(now.getTime());
      expect(await refreshRevoked(tokens.refresh!.tokenHash)).toBe(now.getTime());
    }
    expect(await accessRevoked(hot.access.tokenHash)).toBe(now.getTime());
    expect(await accessRevoked(alreadyRevoked.tokens.access.tokenHash)).toBe(earlier.getTime());
    expect(await accessRevoked(bystander.tokens.access.tokenHash)).toBeNull();
    expect(await refreshRevoked(bystander.tokens.refresh!.tokenHash)).toBeNull();
    expect(await plain.accessToken.count({ where: { familyId, revokedAt: null } })).toBe(0);
    expect(await plain.refreshToken.count({ where: { familyId, revokedAt: null } })).toBe(0);
  });

  it("revokes every token issued from a code, rotated descendants included, and nothing else", async () => {
    const rich = await app(richInput);
    const fast = await client(rich.application.clientId);
    const user = { id: userId, email: "", name: "", disabled: false };
    const code = await saveCode(rich.application.id);
    const otherCode = await saveCode(rich.application.id);
    const fromCode = (codeId: string, familyId?: string) =>
      mint({
        client: fast,
        user,
        grantType: "authorization_code",
        withRefreshToken: true,
        authorizationCodeId: codeId,
        familyId,
      });
    const issued = fromCode(code.id);
    expect(await store.redeemAuthorizationCode(code.id, new Date(), issued.tokens)).toBe(true);
    const other = fromCode(otherCode.id);
    expect(await store.redeemAuthorizationCode(otherCode.id, new Date(), other.tokens)).toBe(true);
    const refresh = (await store.findRefreshToken(issued.tokens.refresh!.tokenHash))!;
    const descendant = fromCode(code.id, refresh.familyId);
    expect(await store.rotateRefreshToken(refresh.id, new Date(), 0, descendant.tokens)).toBe(true);
    const hot = { access: { ...fromCode(code.id).tokens.access, familyId: null } };
    await store.issueTokens(hot);

    const now = new Date();
    await store.revokeTokensFromCode(code.id, now);
    for (const tokens of [issued.tokens, descendant.tokens]) {
      expect((await store.findAccessToken(tokens.access.tokenHash))!.revokedAt!.getTime()).toBe(now.getTime());
      expect((await store.findRefreshToken(tokens.refresh!.tokenHash))!.revokedAt!.getTime()).toBe(now.getTime());
    }
    expect((await store.findAccessToken(hot.access.tokenHash))!.revokedAt!.getTime()).toBe(now.getTime());
    expect((await store.findAccessToken(other.tokens.access.tokenHash))!.revokedAt).toBeNull();
    expect((await store.findRefreshToken(other.tokens.refresh!.tokenHash))!.revokedAt).toBeNull();

    // Revoked stays revoked at its first time.
    await store.revokeTokensFromCode(code.id, new Date(now.getTime() + hour));
    expect((await store.findAccessToken(issued.tokens.access.tokenHash))!.revokedAt!.getTime()).toBe(now.getTime());
  });

  it("saves a consent while another instance writes at the same moment: it neither fails nor loses a scope", async () => {
    const application = await app({ ...publicInput, name: "Consent race" });
    const expiresAt = new Date(Date.now() + hour);
    const consentScope = async () =>
      (
        await db.consent.findUniqueOrThrow({
          where: { userId_applicationId: { userId, applicationId: application.application.id } },
        })
      ).scope.split(" ");
    await store.saveConsent(userId, application.application.id, ["openid"], new Date(), expiresAt);
    if (provider === "sqlite") {
      const commits = await whileAnotherProcessWrites(t.target.provider === "sqlite" ? t.target.file : "", async () => {
        for (let i = 0; i < 30; i++) {
          await store.saveConsent(userId, application.application.id, [`scope-${i}`], new Date(), expiresAt);
        }
      });
      expect(commits).toBeGreaterThan(30);
      expect((await consentScope()).length).toBe(31);
    } else {
      // Other instances approving other scopes of the same consent at the same moment.
      const instances = [1, 2, 3].map(() => connect(t.target));
      try {
        for (let round = 0; round < 3; round++) {
          await Promise.all(
            instances.map((instance, i) =>
              prismaOAuthStore(instance).saveConsent(
                userId,
                application.application.id,
                [`round-${round}-${i}`],
                new Date(),
                expiresAt,
              ),
            ),
          );
        }
      } finally {
        await Promise.all(instances.map((instance) => instance.$disconnect()));
      }
      expect((await consentScope()).length).toBe(10);
    }
  });
});
