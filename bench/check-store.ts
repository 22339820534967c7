/**
 * Checks the token endpoint's hot path (lib/db/oauth-store.ts, statements run on the driver) against
 * Prisma on both databases: the same client record, tokens stored in formats Prisma reads and
 * compares, rotation and deletion effective at once, an insert not swallowed by another request's
 * rolled-back transaction, and the rest of the store (codes, refresh rotation) unchanged.
 * Uses the benchmark databases (bench/setup.ts).   npx tsx bench/check-store.ts
 */
import assert from "node:assert/strict";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresClient } from "../lib/generated/postgres/client.ts";
import { PrismaClient as SqliteClient } from "../lib/generated/sqlite/client.ts";
import { connect, driverOf, type Db } from "../lib/db/client.ts";
import type { ProtocolContext } from "../lib/oauth/context.ts";
import { parseDatabaseUrl } from "../lib/db/url.ts";
import { prismaOAuthStore } from "../lib/db/oauth-store.ts";
import { mintTokens } from "../lib/oauth/tokens.ts";
import { hashCredential } from "../lib/oauth/secrets.ts";
import { prepareDatabase } from "./setup.ts";
import { rotateClientSecret, deleteApplication, createApplication } from "../lib/applications/commands.ts";
import { systemActor } from "../lib/audit/record.ts";
import { credentialMatches } from "../lib/oauth/secrets.ts";

for (const provider of ["sqlite", "postgresql"] as const) {
  const bench = await prepareDatabase(provider);
  const target = parseDatabaseUrl(bench.databaseUrl);
  const db = connect(target);
  const store = prismaOAuthStore(db);
  assert.ok(await driverOf(db), "the driver is reachable: the store takes the hot path");
  // A client made without connect(): no driver, so its store stays on Prisma, for comparison.
  const plain: Db =
    target.provider === "sqlite"
      ? new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: target.file }) })
      : (new PostgresClient({ adapter: new PrismaPg({ connectionString: target.url }) }) as unknown as Db);
  assert.equal(await driverOf(plain), undefined);
  const prismaStore = prismaOAuthStore(plain);
  const ctx = {
    now: () => new Date(),
    config: { lifetimes: { accessToken: 3600, refreshToken: 0 } },
  } as unknown as ProtocolContext;

  // A richer client: several URIs of each kind in a given order.
  const rich = await createApplication(
    db,
    {
      name: "Rich",
      clientType: "confidential",
      grantTypes: ["authorization_code", "refresh_token", "client_credentials"],
      redirectUris: ["https://z.example.com/cb", "https://a.example.com/cb"],
      postLogoutRedirectUris: ["https://a.example.com/bye"],
      allowedOrigins: ["https://z.example.com", "https://a.example.com"],
      allowedScopes: ["write", "read", "openid"],
      algorithm: "RS256",
      accessTokenLifetime: 120,
      skipAuthorization: true,
      logoUri: "https://a.example.com/logo.png",
    },
    systemActor,
  );
  assert.ok(rich.ok);
  const fast = await store.findClient(rich.application.clientId);
  assert.ok(fast);
  assert.deepEqual(fast, await prismaStore.findClient(rich.application.clientId));
  assert.deepEqual(await store.findClient(bench.clientId), await prismaStore.findClient(bench.clientId));
  assert.deepEqual(fast.redirectUris, ["https://z.example.com/cb", "https://a.example.com/cb"]);
  assert.deepEqual(fast.allowedOrigins, ["https://z.example.com", "https://a.example.com"]);
  assert.deepEqual(fast.grantTypes, ["authorization_code", "client_credentials", "refresh_token"]);
  assert.deepEqual(fast.allowedScopes, ["openid", "read", "write"]);
  assert.equal(fast.algorithm, "RS256");
  assert.equal(fast.skipAuthorization, true);
  assert.equal(fast.pkceRequired, true);
  assert.equal(fast.accessTokenLifetime, 120);
  assert.equal(fast.refreshTokenLifetime, null);
  assert.equal(fast.clientType, "confidential");
  assert.equal(fast.logoUri, "https://a.example.com/logo.png");
  assert.equal(await store.findClient("nope"), null);

  // Issue through the hot path, read back through Prisma.
  const minted = mintTokens(ctx, {
    client: fast,
    user: null,
    grantType: "client_credentials",
    scopes: ["read"],
    withRefreshToken: false,
  });
  await store.issueTokens(minted.tokens);
  const stored = await store.findAccessToken(hashCredential(minted.response.access_token));
  // Stored by the hot path, read by Prisma: the same record as a token Prisma stored.
  const viaPrisma = mintTokens(ctx, {
    client: fast,
    user: null,
    grantType: "client_credentials",
    scopes: ["read"],
    withRefreshToken: false,
  });
  await prismaStore.issueTokens(viaPrisma.tokens);
  const storedByPrisma = await store.findAccessToken(viaPrisma.tokens.access.tokenHash);
  assert.deepEqual(
    { ...stored, id: "", createdAt: null, expiresAt: null },
    { ...storedByPrisma, id: "", createdAt: null, expiresAt: null },
  );
  assert.ok(stored);
  assert.equal(stored.expiresAt.getTime(), minted.tokens.access.expiresAt.getTime());
  assert.ok(Math.abs(stored.createdAt.getTime() - Date.now()) < 5000);
  assert.equal(stored.clientId, fast.clientId);
  assert.equal(stored.scope, "read");
  assert.equal(stored.authTime, null);
  const prismaRow = await db.accessToken.findUnique({ where: { tokenHash: minted.tokens.access.tokenHash } });
  assert.match(prismaRow!.id, /^c[a-z0-9]{24}$/);
  // Comparisons in SQL see our dates like Prisma's:
  assert.equal(
    await db.accessToken.count({ where: { tokenHash: minted.tokens.access.tokenHash, expiresAt: { gt: new Date() } } }),
    1,
  );
  assert.equal(
    await db.accessToken.count({
      where: { tokenHash: minted.tokens.access.tokenHash, createdAt: { lte: new Date(Date.now() + 1000) } },
    }),
    1,
  );

  // Rotation: the old secret stops at once, the new one works.
  const rotated = await rotateClientSecret(db, rich.application.id, systemActor);
  const after = await store.findClient(rich.application.clientId);
  assert.ok(credentialMatches(rotated.clientSecret, after!.secretHash));
  assert.ok(!credentialMatches(rich.clientSecret!, after!.secretHash));
  // Deletion: gone at once.
  await deleteApplication(db, rich.application.id, systemActor);
  assert.equal(await store.findClient(rich.application.clientId), null);

  // An insert while another Prisma transaction is open must not be swallowed by its rollback.
  const bench2 = (await store.findClient(bench.clientId))!;
  const m2 = mintTokens(ctx, {
    client: bench2,
    user: null,
    grantType: "client_credentials",
    scopes: ["read"],
    withRefreshToken: false,
  });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const tx = db
    .$transaction(async (t) => {
      await t.auditEvent.create({ data: { action: "test.rollback" } });
      await gate;
      throw new Error("rollback on purpose");
    })
    .catch((e: Error) => e.message);
  await new Promise((r) => setTimeout(r, 50));
  const issuing = store.issueTokens(m2.tokens);
  await new Promise((r) => setTimeout(r, 50));
  release();
  assert.equal(await tx, "rollback on purpose");
  await issuing;
  assert.ok(
    await store.findAccessToken(m2.tokens.access.tokenHash),
    "token persisted despite the other transaction's rollback",
  );
  assert.equal(await db.auditEvent.count({ where: { action: "test.rollback" } }), 0);

  // A read does not see another request's uncommitted write either.
  const before = (await store.findClient(bench.clientId))!.secretHash;
  let releaseUpdate!: () => void;
  const updateGate = new Promise<void>((r) => (releaseUpdate = r));
  const updating = db
    .$transaction(async (t) => {
      await t.application.update({ where: { clientId: bench.clientId }, data: { clientSecretHash: "0".repeat(64) } });
      await updateGate;
      throw new Error("rollback on purpose");
    })
    .catch((e: Error) => e.message);
  await new Promise((r) => setTimeout(r, 50));
  const reading = store.findClient(bench.clientId);
  await new Promise((r) => setTimeout(r, 50));
  releaseUpdate();
  assert.equal(await updating, "rollback on purpose");
  assert.equal((await reading)!.secretHash, before, "no dirty read of an uncommitted secret");

  // The rest of the store still works: codes and refresh rotation.
  const user = await db.user.findFirstOrThrow();
  const now = new Date();
  await store.saveAuthorizationCode({
    codeHash: "h1",
    applicationId: bench2.id,
    userId: user.id,
    redirectUri: "https://x/cb",
    redirectUriProvided: true,
    scope: "read",
    codeChallenge: null,
    codeChallengeMethod: null,
    nonce: null,
    authTime: now,
    expiresAt: new Date(now.getTime() + 60000),
  });
  const code = (await store.findAuthorizationCode("h1"))!;
  const m3 = mintTokens(ctx, {
    client: bench2,
    user: { id: user.id, email: "", name: "", disabled: false },
    grantType: "authorization_code",
    scopes: ["read"],
    withRefreshToken: true,
    authorizationCodeId: code.id,
  });
  const results = await Promise.all([
    store.redeemAuthorizationCode(code.id, now, m3.tokens),
    store.redeemAuthorizationCode(
      code.id,
      now,
      mintTokens(ctx, {
        client: bench2,
        user: null,
        grantType: "authorization_code",
        scopes: ["read"],
        withRefreshToken: true,
      }).tokens,
    ),
  ]);
  assert.deepEqual(results.sort(), [false, true]);
  const refresh = (await store.findRefreshToken(m3.tokens.refresh!.tokenHash))!;
  const m4 = mintTokens(ctx, {
    client: bench2,
    user: null,
    grantType: "refresh_token",
    scopes: ["read"],
    withRefreshToken: true,
    familyId: refresh.familyId,
  });
  assert.equal(await store.rotateRefreshToken(refresh.id, new Date(), 0, m4.tokens), true);
  assert.equal(await store.rotateRefreshToken(refresh.id, new Date(), 0, m4.tokens), false);
  await db.$disconnect();
  await plain.$disconnect();
  console.log(`${provider}: ok`);
}
