/**
 * The protocol's storage (lib/oauth/store.ts) on Prisma. Transactions live here: a code is redeemed
 * and a refresh token rotated by one conditional UPDATE whose row count decides the winner, in the
 * same transaction as the inserts of the tokens it pays for.
 *
 * Three statements bypass Prisma: the client lookup and the access-token insert of the token
 * endpoint, the only database work of a client_credentials request, and the authorization-code
 * insert, the only write of an authorize request that needs no page. Measured in one process on the
 * SQLite bench database (2-core machine, CPU time per call, mean of 2,000):
 *
 *   findClient, Prisma findUnique + 3 relation includes        1.43 ms
 *   the same as one SQL statement through Prisma $queryRaw      0.63 ms
 *   the same statement on the driver, prepared once             0.03 ms
 *   access-token insert, Prisma create                          0.91 ms
 *   the same INSERT through Prisma $executeRaw                  0.42 ms
 *   the same INSERT on the driver, prepared once                0.11 ms (SHA-256 and ids included)
 *
 * and on PostgreSQL (pg, named statements): findClient 1.80 ms with Prisma, 0.12-0.28 ms on the
 * pool; the insert 0.91 ms with Prisma, 0.10-0.27 ms on the pool.
 *
 * With a trivial Next route costing ~0.6 ms of CPU, Prisma's 2.3 ms capped the endpoint far below
 * the 1,000 req/s target, which leaves the database ~0.3 ms. On the endpoint (bench/run.ts, the
 * old and new builds run alternately on the same busy machine, SQLite, 10 connections) this took
 * 19-30 req/s to 233-350 req/s, and server CPU per request from 8.2 ms to 2.5 ms.
 * The access-token inserts of one event-loop turn are then committed together (lib/db/group-commit.ts):
 * one SQLite transaction, or one PostgreSQL INSERT over arrays. bench/run.ts, old and new code run
 * alternately on the same machine, 50 connections: SQLite 1,660 → 3,140 req/s and 0.64 → 0.35 ms of
 * CPU per request; PostgreSQL 1,170 → 2,160 req/s.
 * The statements read and write the same rows Prisma does, in Prisma's formats (cuid ids, its
 * DateTime encodings), on Prisma's own connection or pool (lib/db/client.ts driverOf). On SQLite
 * every request reads the client afresh; on PostgreSQL clients stay in memory until a trigger's
 * NOTIFY says one changed (lib/db/client-cache.ts): a rotated secret or a deleted client stops
 * working at once on SQLite, within milliseconds on PostgreSQL.
 */
import { randomInt } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import { settingsFrom, storedColumns, type StoredApplication, type UriKind } from "../applications/fields.ts";
import type {
  AccessTokenRecord,
  ClientRecord,
  DeviceCodeRecord,
  DeviceCodeStatus,
  NewAccessToken,
  NewAuthorizationCode,
  NewTokens,
  OAuthStore,
  RefreshTokenRecord,
  UserRecord,
} from "../oauth/store.ts";
import { formatScope } from "../oauth/scope.ts";
import { driverOf, providerOf, type Db, type Driver } from "./client.ts";
import { notifiedClientCache } from "./client-cache.ts";
import { nthLatestQuery, secondsUntilUnder } from "./failure-window.ts";
import { groupCommit } from "./group-commit.ts";
import { lockSigningKeys } from "./signing-key-lock.ts";
import { closeCodes, revokeTokenSet } from "./revoke-tokens.ts";

type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

/** A client as storage reads it, before its fields are decoded (settingsFrom). */
interface ClientRow extends StoredApplication {
  id: string;
  clientId: string;
  clientSecretHash: string | null;
  /** JSON text (SQLite through the driver) or already parsed (Prisma, pg). */
  metadata: unknown;
}

/** The custom fields' stored object; anything else (never written by Portcullis) reads as none. */
function metadataFrom(value: unknown): Record<string, unknown> {
  let parsed = value;
  if (typeof value === "string") {
    try {
      parsed = JSON.parse(value);
    } catch {
      return {};
    }
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}

function toClientRecord(row: ClientRow): ClientRecord {
  return {
    id: row.id,
    clientId: row.clientId,
    secretHash: row.clientSecretHash,
    metadata: metadataFrom(row.metadata),
    ...settingsFrom(row),
  };
}

// ---------------------------------------------------------------------------------------------
// The hot path on the driver

/**
 * A cuid (v1), the id Prisma's `@default(cuid())` generates: "c", time, a counter, a process
 * fingerprint and random blocks, base 36, 25 characters.
 */
const cuidFingerprint =
  (process.pid % 1296).toString(36).padStart(2, "0") +
  ([...hostname()].reduce((sum, char) => sum + char.charCodeAt(0), hostname().length + 36) % 1296)
    .toString(36)
    .padStart(2, "0");
let cuidCounter = randomInt(1_679_616);

function cuid(): string {
  cuidCounter = (cuidCounter + 1) % 1_679_616;
  const block = () => randomInt(1_679_616).toString(36).padStart(4, "0");
  return `c${Date.now().toString(36)}${cuidCounter.toString(36).padStart(4, "0")}${cuidFingerprint}${block()}${block()}`;
}

/**
 * One statement reads a consistent client: the field columns (from lib/applications/fields.ts) and
 * the list tables as JSON arrays. Enums are read as text on PostgreSQL (pg has no parser for them).
 */
const clientColumns = ["id", "clientId", "clientSecretHash", "metadata", ...storedColumns.map((column) => column.name)];

const sqliteClientSql = `SELECT ${clientColumns.map((name) => `a."${name}"`).join(", ")},
  (SELECT json_group_array(g.grantType) FROM ApplicationGrantType g WHERE g.applicationId = a.id) AS grantTypes,
  (SELECT json_group_array(json_array(u.kind, u.uri, u.position)) FROM ApplicationUri u WHERE u.applicationId = a.id) AS uris,
  (SELECT json_group_array(s.scope) FROM ApplicationScope s WHERE s.applicationId = a.id) AS scopes
FROM Application a WHERE a.clientId = ?`;

const postgresClientSql = `SELECT ${[
  ...["id", "clientId", "clientSecretHash", "metadata"].map((name) => `a."${name}"`),
  ...storedColumns.map(({ name, sql }) => (sql === "enum" ? `a."${name}"::text AS "${name}"` : `a."${name}"`)),
].join(", ")},
  COALESCE((SELECT json_agg(g."grantType") FROM "ApplicationGrantType" g WHERE g."applicationId" = a."id"), '[]') AS "grantTypes",
  COALESCE((SELECT json_agg(json_build_array(u."kind"::text, u."uri", u."position")) FROM "ApplicationUri" u WHERE u."applicationId" = a."id"), '[]') AS "uris",
  COALESCE((SELECT json_agg(s."scope") FROM "ApplicationScope" s WHERE s."applicationId" = a."id"), '[]') AS "scopes"
FROM "Application" a WHERE a."clientId" = $1`;

/** The access-token columns the hot path writes, with their PostgreSQL types (for its arrays). */
const accessTokenColumns = [
  ["id", "text"],
  ["tokenHash", "text"],
  ["applicationId", "text"],
  ["userId", "text"],
  ["scope", "text"],
  ["grantType", "text"],
  ["familyId", "text"],
  ["authorizationCodeId", "text"],
  ["authTime", "timestamp(3)"],
  ["expiresAt", "timestamp(3)"],
  ["createdAt", "timestamp(3)"],
] as const;
/** The authorization-code columns the hot path writes (every code the authorize endpoint issues). */
const authorizationCodeColumns = [
  ["id", "text"],
  ["codeHash", "text"],
  ["applicationId", "text"],
  ["userId", "text"],
  ["redirectUri", "text"],
  ["redirectUriProvided", "boolean"],
  ["scope", "text"],
  ["codeChallenge", "text"],
  ["codeChallengeMethod", "text"],
  ["nonce", "text"],
  ["authTime", "timestamp(3)"],
  ["expiresAt", "timestamp(3)"],
  ["createdAt", "timestamp(3)"],
] as const;

/** One row per statement on SQLite; any number of rows in one statement (a column per array) on PostgreSQL. */
function insertStatements(table: string, columns: readonly (readonly [string, string])[]) {
  return {
    sqlite: `INSERT INTO ${table} (${columns.map(([name]) => name).join(", ")})
  VALUES (${columns.map(() => "?").join(", ")})`,
    postgres: `INSERT INTO "${table}" (${columns.map(([name]) => `"${name}"`).join(", ")})
  SELECT * FROM unnest(${columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(", ")})`,
  };
}
const accessTokenInserts = insertStatements("AccessToken", accessTokenColumns);
const authorizationCodeInserts = insertStatements("AuthorizationCode", authorizationCodeColumns);

/** A row of the statements above: SQLite gives booleans as 0/1 and the lists as JSON text; pg parses JSON. */
type RawClientRow = Record<string, unknown> & {
  id: string;
  clientId: string;
  clientSecretHash: string | null;
  metadata: unknown;
  grantTypes: string | string[];
  uris: string | [UriKind, string, number][];
  scopes: string | string[];
};

function clientRowFrom(raw: RawClientRow): ClientRow {
  const json = <T>(value: string | T): T => (typeof value === "string" ? (JSON.parse(value) as T) : value);
  const columns: Record<string, unknown> = {};
  for (const { name, sql } of storedColumns) columns[name] = sql === "boolean" ? Boolean(raw[name]) : raw[name];
  const uris = json<[UriKind, string, number][]>(raw.uris).sort((a, b) => a[2] - b[2]);
  return {
    id: raw.id,
    clientId: raw.clientId,
    clientSecretHash: raw.clientSecretHash,
    metadata: raw.metadata,
    // The statements read exactly these columns, in Prisma's types once booleans are decoded.
    columns: columns as StoredApplication["columns"],
    grantTypes: json<string[]>(raw.grantTypes),
    uris: uris.map(([kind, uri]) => ({ kind, uri })),
    scopes: json<string[]>(raw.scopes),
  };
}

/** Prisma's SQLite DateTime text (timestampFormat "iso8601"), so its reads and comparisons see ours alike. */
const sqliteTime = (date: Date | null) => (date ? date.toISOString().replace("Z", "+00:00") : null);
/** Prisma's PostgreSQL TIMESTAMP(3) text: UTC, no zone, whatever the process's time zone. */
const postgresTime = (date: Date | null) => (date ? date.toISOString().replace("T", " ").replace("Z", "") : null);

function accessTokenValues(token: NewAccessToken, time: (date: Date | null) => string | null): unknown[] {
  return [
    cuid(),
    token.tokenHash,
    token.applicationId,
    token.userId,
    token.scope,
    token.grantType,
    token.familyId,
    token.authorizationCodeId,
    time(token.authTime),
    time(token.expiresAt),
    time(new Date()),
  ];
}

function authorizationCodeValues(
  code: NewAuthorizationCode,
  time: (date: Date | null) => string | null,
  boolean: (value: boolean) => unknown,
): unknown[] {
  return [
    cuid(),
    code.codeHash,
    code.applicationId,
    code.userId,
    code.redirectUri,
    boolean(code.redirectUriProvided),
    code.scope,
    code.codeChallenge,
    code.codeChallengeMethod,
    code.nonce,
    time(code.authTime),
    time(code.expiresAt),
    time(new Date()),
  ];
}

interface HotPath {
  findClient(clientId: string): Promise<ClientRow | null>;
  insertAccessToken(token: NewAccessToken): Promise<void>;
  insertAuthorizationCode(code: NewAuthorizationCode): Promise<void>;
}

/** On Prisma's own connection, never inside another request's transaction (Driver in ./client.ts). */
function sqliteHotPath({ connection, outsideTransactions, write }: Extract<Driver, { provider: "sqlite" }>): HotPath {
  // Prisma's adapter turns on safe integers for its connection; these statements want numbers.
  const findClient = connection.prepare(sqliteClientSql).safeIntegers(false);
  const insertsOf = (sql: string) => {
    const insert = connection.prepare(sql);
    return connection.transaction((rows: readonly unknown[][]) => {
      for (const values of rows) insert.run(values);
    });
  };
  const insertAccessTokens = insertsOf(accessTokenInserts.sqlite);
  const insertAuthorizationCodes = insertsOf(authorizationCodeInserts.sqlite);
  return {
    async findClient(clientId) {
      const raw = await outsideTransactions(() => findClient.get(clientId) as RawClientRow | undefined);
      return raw ? clientRowFrom(raw) : null;
    },
    // IMMEDIATE: takes the write lock at BEGIN, so another process's writer makes it wait (without
    // blocking the event loop: lib/db/sqlite-busy.ts) instead of failing halfway through the batch.
    insertAccessToken: groupCommit<NewAccessToken>(async (tokens) => {
      const rows = tokens.map((token) => accessTokenValues(token, sqliteTime));
      await write(() => insertAccessTokens.immediate(rows));
    }),
    insertAuthorizationCode: groupCommit<NewAuthorizationCode>(async (codes) => {
      const rows = codes.map((code) => authorizationCodeValues(code, sqliteTime, Number));
      await write(() => insertAuthorizationCodes.immediate(rows));
    }),
  };
}

function postgresHotPath(pool: pg.Pool, { clientCache }: StoreOptions): HotPath {
  async function lookUp(clientId: string): Promise<ClientRow | null> {
    // Named: each pooled connection parses and plans it once. A migration that changes these
    // columns' types while the server runs would make the cached plan fail until a restart.
    const result = await pool.query<RawClientRow>({
      name: "portcullis_find_client",
      text: postgresClientSql,
      values: [clientId],
    });
    return result.rows[0] ? clientRowFrom(result.rows[0]) : null;
  }
  const clients = clientCache ? notifiedClientCache<ClientRow>(pool) : null;
  return {
    findClient: (clientId) => (clients ? clients.read(clientId, lookUp) : lookUp(clientId)),
    // One statement for any number of rows (a column per array), so it stays a named statement.
    insertAccessToken: groupCommit<NewAccessToken>(async (tokens) => {
      const rows = tokens.map((token) => accessTokenValues(token, postgresTime));
      await pool.query({
        name: "portcullis_insert_access_tokens",
        text: accessTokenInserts.postgres,
        values: accessTokenColumns.map((_, column) => rows.map((row) => row[column])),
      });
    }),
    insertAuthorizationCode: groupCommit<NewAuthorizationCode>(async (codes) => {
      const rows = codes.map((code) => authorizationCodeValues(code, postgresTime, Boolean));
      await pool.query({
        name: "portcullis_insert_authorization_codes",
        text: authorizationCodeInserts.postgres,
        values: authorizationCodeColumns.map((_, column) => rows.map((row) => row[column])),
      });
    }),
  };
}

function hotPathFor(db: Db, options: StoreOptions): () => Promise<HotPath | null> {
  let ready: Promise<HotPath | null> | undefined;
  let hotPath: HotPath | null | undefined;
  return async () => {
    if (hotPath !== undefined) return hotPath;
    ready ??= driverOf(db).then(
      (driver: Driver | undefined) => {
        hotPath = !driver
          ? null
          : driver.provider === "sqlite"
            ? sqliteHotPath(driver)
            : postgresHotPath(driver.pool, options);
        return hotPath;
      },
      (error: unknown) => {
        ready = undefined; // the next request tries to connect again
        throw error;
      },
    );
    return ready;
  };
}

async function insertTokens(tx: Tx | Db, tokens: NewTokens): Promise<void> {
  await tx.accessToken.create({ data: tokens.access });
  if (tokens.refresh) await tx.refreshToken.create({ data: tokens.refresh });
}

/** A unique constraint refused the write (Prisma's P2002). */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

const deviceCodeSelect = {
  id: true,
  deviceCodeHash: true,
  userCodeHash: true,
  applicationId: true,
  scope: true,
  status: true,
  userId: true,
  authTime: true,
  interval: true,
  lastPolledAt: true,
  expiresAt: true,
  consumedAt: true,
  application: { select: { clientId: true } },
} as const;

const deviceCodeStatuses = new Set<string>(["pending", "approved", "denied"]);

const userSelect = { id: true, email: true, name: true, disabled: true } as const;

/** Writes of "last used" are skipped when the previous one is this recent, to spare the hot path. */
const lastUsedResolutionMs = 60_000;

export interface StoreOptions {
  /**
   * PostgreSQL: keep clients in memory until a NOTIFY says one changed (lib/db/client-cache.ts).
   * Turn it off where notifications cannot arrive, e.g. behind PgBouncer in transaction mode.
   */
  clientCache: boolean;
}

export function prismaOAuthStore(db: Db, options: StoreOptions = { clientCache: true }): OAuthStore {
  const hotPath = hotPathFor(db, options);
  return {
    async findClient(clientId) {
      const hot = await hotPath();
      if (hot) {
        const row = await hot.findClient(clientId);
        return row ? toClientRecord(row) : null;
      }
      const row = await db.application.findUnique({
        where: { clientId },
        include: { grantTypes: true, uris: { orderBy: { position: "asc" } }, scopes: true },
      });
      return row
        ? toClientRecord({
            ...row,
            columns: row,
            grantTypes: row.grantTypes.map((grant) => grant.grantType),
            scopes: row.scopes.map((scope) => scope.scope),
          })
        : null;
    },

    async isRegisteredOrigin(origin) {
      return (
        (await db.applicationUri.findFirst({ where: { kind: "CORS_ORIGIN", uri: origin }, select: { id: true } })) !==
        null
      );
    },

    findUser(userId): Promise<UserRecord | null> {
      return db.user.findUnique({ where: { id: userId }, select: userSelect });
    },

    async saveAuthorizationCode(code) {
      const hot = await hotPath();
      if (hot) await hot.insertAuthorizationCode(code);
      else await db.authorizationCode.create({ data: code });
    },

    async findAuthorizationCode(codeHash) {
      const row = await db.authorizationCode.findUnique({ where: { codeHash } });
      return row ? { ...row, codeChallengeMethod: row.codeChallengeMethod === "S256" ? "S256" : null } : null;
    },

    redeemAuthorizationCode(codeId, now, tokens) {
      return db.$transaction(async (tx) => {
        const { count } = await tx.authorizationCode.updateMany({
          where: { id: codeId, consumedAt: null },
          data: { consumedAt: now },
        });
        if (count !== 1) return false;
        await insertTokens(tx, tokens);
        return true;
      });
    },

    async revokeTokensFromCode(codeId, now) {
      await db.$transaction(async (tx) => {
        await closeCodes(tx, { id: codeId }, now);
        await revokeTokenSet(tx, { authorizationCodeId: codeId }, now);
      });
    },

    async saveDeviceCode(code) {
      try {
        await db.deviceCode.create({ data: code, select: { id: true } });
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },

    async findDeviceCode(by): Promise<DeviceCodeRecord | null> {
      const row = await db.deviceCode.findUnique({ where: by, select: deviceCodeSelect });
      if (!row) return null;
      const { application, status, ...code } = row;
      // Only Portcullis writes the column; anything else reads as an answer nobody gave.
      const known = (deviceCodeStatuses.has(status) ? status : "denied") as DeviceCodeStatus;
      return { ...code, status: known, clientId: application.clientId };
    },

    async recordDevicePoll(id, previousPoll, now, interval) {
      const { count } = await db.deviceCode.updateMany({
        where: { id, lastPolledAt: previousPoll },
        data: { lastPolledAt: now, interval },
      });
      return count === 1;
    },

    async claimDeviceCode(id, userId, now) {
      const { count } = await db.deviceCode.updateMany({
        where: { id, status: "pending", consumedAt: null, expiresAt: { gt: now } },
        data: { userId },
      });
      return count === 1;
    },

    async answerDeviceCode(id, userId, { status, authTime }, now) {
      const { count } = await db.deviceCode.updateMany({
        where: { id, userId, status: "pending", expiresAt: { gt: now } },
        data: { status, authTime },
      });
      return count === 1;
    },

    redeemDeviceCode(id, now, tokens) {
      return db.$transaction(async (tx) => {
        const { count } = await tx.deviceCode.updateMany({
          where: { id, status: "approved", consumedAt: null },
          data: { consumedAt: now },
        });
        if (count !== 1) return false;
        await insertTokens(tx, tokens);
        return true;
      });
    },

    async recordUserCodeFailure({ userId, source }, at) {
      await db.userCodeFailure.create({ data: { userId, source, failedAt: at }, select: { id: true } });
    },

    async userCodeRetryAfter({ userId, source }, limits, now) {
      const nthLatest = (where: { userId?: string; source?: string }) => async (since: Date, skip: number) =>
        (await db.userCodeFailure.findFirst(nthLatestQuery(where, since, skip)))?.failedAt ?? null;
      const [user, address] = await Promise.all([
        secondsUntilUnder(nthLatest({ userId }), limits.userLimit, limits.window, now),
        secondsUntilUnder(nthLatest({ source }), limits.addressLimit, limits.window, now),
      ]);
      return Math.ceil(Math.max(user, address));
    },

    async issueTokens(tokens) {
      if (!tokens.refresh) {
        const hot = await hotPath();
        if (hot) await hot.insertAccessToken(tokens.access);
        else await db.accessToken.create({ data: tokens.access });
        return;
      }
      await db.$transaction((tx) => insertTokens(tx, tokens));
    },

    async findRefreshToken(tokenHash): Promise<RefreshTokenRecord | null> {
      const row = await db.refreshToken.findUnique({
        where: { tokenHash },
        select: {
          id: true,
          tokenHash: true,
          applicationId: true,
          userId: true,
          scope: true,
          familyId: true,
          authorizationCodeId: true,
          authTime: true,
          expiresAt: true,
          rotatedAt: true,
          revokedAt: true,
          createdAt: true,
          application: { select: { clientId: true } },
        },
      });
      if (!row) return null;
      const { application, ...token } = row;
      return { ...token, clientId: application.clientId };
    },

    rotateRefreshToken(tokenId, now, graceSeconds, tokens) {
      return db.$transaction(async (tx) => {
        const graceStart = new Date(now.getTime() - graceSeconds * 1000);
        const { count } = await tx.refreshToken.updateMany({
          where: {
            id: tokenId,
            revokedAt: null,
            OR: graceSeconds > 0 ? [{ rotatedAt: null }, { rotatedAt: { gte: graceStart } }] : [{ rotatedAt: null }],
          },
          data: { lastUsedAt: now },
        });
        if (count !== 1) return false;
        // Keep the first rotation's time, so the grace period runs from it.
        await tx.refreshToken.updateMany({ where: { id: tokenId, rotatedAt: null }, data: { rotatedAt: now } });
        await insertTokens(tx, tokens);
        return true;
      });
    },

    async revokeFamily(familyId, now) {
      await db.$transaction((tx) => revokeTokenSet(tx, { familyId }, now));
    },

    async findAccessToken(tokenHash): Promise<AccessTokenRecord | null> {
      const row = await db.accessToken.findUnique({
        where: { tokenHash },
        select: {
          id: true,
          applicationId: true,
          userId: true,
          scope: true,
          grantType: true,
          familyId: true,
          authTime: true,
          expiresAt: true,
          revokedAt: true,
          createdAt: true,
          application: { select: { clientId: true } },
        },
      });
      if (!row) return null;
      const { application, ...token } = row;
      return { ...token, clientId: application.clientId };
    },

    async revokeAccessToken(tokenId, now) {
      await db.accessToken.updateMany({ where: { id: tokenId, revokedAt: null }, data: { revokedAt: now } });
    },

    async noteAccessTokenUse(tokenId, now) {
      const stale = new Date(now.getTime() - lastUsedResolutionMs);
      await db.accessToken.updateMany({
        where: { id: tokenId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: stale } }] },
        data: { lastUsedAt: now },
      });
    },

    async findConsent(userId, applicationId) {
      const row = await db.consent.findUnique({
        where: { userId_applicationId: { userId, applicationId } },
        select: { scope: true, expiresAt: true },
      });
      return row ? { scope: row.scope === "" ? [] : row.scope.split(" "), expiresAt: row.expiresAt } : null;
    },

    async saveConsent(userId, applicationId, scopes, now, expiresAt) {
      await db.$transaction(async (tx) => {
        // A write first: on PostgreSQL it locks the row, so two approvals cannot lose a scope. (On
        // SQLite the transaction holds the write lock from its start: lib/db/serialized-sqlite.ts.)
        await tx.consent.updateMany({ where: { userId, applicationId }, data: { lastUsedAt: now } });
        const existing = await tx.consent.findUnique({ where: { userId_applicationId: { userId, applicationId } } });
        // An expired consent is replaced, not extended: the user approved only what they see now.
        const earlier = existing && existing.expiresAt > now && existing.scope !== "" ? existing.scope.split(" ") : [];
        const scope = formatScope([...earlier, ...scopes]);
        await tx.consent.upsert({
          where: { userId_applicationId: { userId, applicationId } },
          create: { userId, applicationId, scope, expiresAt, lastUsedAt: now },
          update: { scope, expiresAt, lastUsedAt: now },
        });
      });
    },

    async noteConsentUse(userId, applicationId, now) {
      await db.consent.updateMany({ where: { userId, applicationId }, data: { lastUsedAt: now } });
    },

    listSigningKeys() {
      return db.signingKey.findMany({ orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    },

    async saveFirstSigningKey(key) {
      if (providerOf(db) === "sqlite") {
        // One statement: SQLite takes the write lock before it evaluates NOT EXISTS, so another
        // process's insert cannot slip in between the check and the write.
        const inserted = await db.$executeRawUnsafe(
          `INSERT INTO "SigningKey" ("id", "algorithm", "publicJwk", "privateJwk", "createdAt")
           SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM "SigningKey" WHERE "retiredAt" IS NULL)`,
          key.id,
          key.algorithm,
          key.publicJwk,
          key.privateJwk,
          sqliteTime(key.createdAt),
        );
        return inserted === 1;
      }
      // PostgreSQL's READ COMMITTED would let two such inserts both see no key: the lock orders them,
      // and the second one's check sees the first one's committed key.
      return db.$transaction(async (tx) => {
        await lockSigningKeys(tx);
        if ((await tx.signingKey.count({ where: { retiredAt: null } })) > 0) return false;
        await tx.signingKey.create({ data: key });
        return true;
      });
    },

    async retireSigningKeys(ids, at) {
      if (ids.length === 0) return;
      await db.signingKey.updateMany({
        where: { id: { in: [...ids] }, OR: [{ retiredAt: null }, { retiredAt: { gt: at } }] },
        data: { retiredAt: at },
      });
    },
  };
}
