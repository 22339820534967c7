/**
 * A large installation for measuring the dashboard at scale (`seed-demo --scale [factor]`): at
 * factor 1, 100,000 applications, 100,000 users, 1,250,000 tokens (most of them expired, as on a
 * server nobody has run `clear-tokens` on), 204,000 consents, 5,000,000 audit entries and a month
 * of usage for the busiest applications.
 *
 * Written as set-based INSERT … SELECT over a generated series, in the database, rather than
 * through the commands the dashboard uses (as seed-demo.ts does for its handful of rows): row by
 * row through Prisma, five million audit entries take hours; generated in the database, minutes.
 * The rows have the shapes the server writes (dates as the adapters store them, real action names
 * and details), but no usable credentials: token and secret hashes are not hashes of anything, and
 * every seeded user shares one password hash of a random password nobody is told.
 *
 * Skew is deliberate, as in real installations: half the tokens belong to the first 100
 * applications, the first 20 users hold many tokens and consents, so the pages of the busiest
 * application and user are measured as well as the typical ones.
 */
import { randomBytes } from "node:crypto";
import { hashPassword } from "../auth/password.ts";
import { providerOf, type Db } from "../db/client.ts";
import { hashCredential } from "../oauth/secrets.ts";

export interface ScaleCounts {
  applications: number;
  users: number;
  accessTokens: number;
  refreshTokens: number;
  consents: number;
  auditEvents: number;
  usageCounters: number;
}

export const scaleAtFactorOne = {
  applications: 100_000,
  users: 100_000,
  accessTokens: 1_000_000,
  refreshTokens: 250_000,
  auditEvents: 5_000_000,
} as const;

/** Marks a database already seeded at scale: the first seeded application's client_id. */
export const scaleMarkerClientId = "scale-0000001";

/** Users and applications that get many tokens and consents: the account and app pages' worst case. */
const heavyUsers = 20;
const heavyApps = 100;
const heavyConsentsPerUser = 200;
const usageDays = 30;
/** Rows per statement: keeps each transaction (and SQLite's WAL) a manageable size. */
const chunk = 250_000;

type Provider = "sqlite" | "postgresql";

/** The SQL that differs between the two databases. */
function dialect(provider: Provider, nowSeconds: number) {
  const sqlite = provider === "sqlite";
  return {
    /** `i` zero-padded to `width` digits, as text. */
    pad: (expr: string, width: number) =>
      sqlite ? `printf('%0${width}d', ${expr})` : `lpad((${expr})::text, ${width}, '0')`,
    /** The instant `seconds` before now, as the adapters store DateTime. */
    ago: (seconds: string) =>
      sqlite
        ? `strftime('%Y-%m-%dT%H:%M:%f+00:00', ${nowSeconds} - (${seconds}), 'unixepoch')`
        : `(to_timestamp(${nowSeconds} - (${seconds})) AT TIME ZONE 'UTC')`,
    day: (secondsAgo: string) =>
      sqlite
        ? `strftime('%Y-%m-%d', ${nowSeconds} - (${secondsAgo}), 'unixepoch')`
        : `to_char(to_timestamp(${nowSeconds} - (${secondsAgo})) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
    enumValue: (value: string, type: string) => (sqlite ? `'${value}'` : `'${value}'::"${type}"`),
    /** INSERT … SELECT … over i = from..to. */
    series(from: number, to: number, insert: string, select: string, where = "1 = 1"): string {
      return sqlite
        ? `WITH RECURSIVE s(i) AS (SELECT ${from} UNION ALL SELECT i + 1 FROM s WHERE i < ${to}) ${insert} ${select} FROM s WHERE ${where}`
        : `${insert} ${select} FROM generate_series(${from}::bigint, ${to}::bigint) AS s(i) WHERE ${where}`;
    },
  };
}

/** A number spread over 1..n that looks random but is the same on every run. */
const scatter = (expr: string, n: number, multiplier = 2654435761) => `((((${expr}) * ${multiplier}) % ${n}) + 1)`;

const textLiteral = (value: string) => `'${value.replace(/'/g, "''")}'`;

export async function seedScale(
  db: Db,
  factor: number,
  onProgress: (line: string) => void = () => {},
): Promise<{ seeded: false; reason: string } | { seeded: true; counts: ScaleCounts }> {
  if (!(factor > 0 && factor <= 10))
    throw new Error("--scale takes a factor between 0 and 10 (1: 100,000 applications)");
  if (await db.application.findUnique({ where: { clientId: scaleMarkerClientId }, select: { id: true } })) {
    return { seeded: false, reason: "This database is already seeded at scale: nothing was changed." };
  }
  const admin = await db.user.findFirst({ where: { role: "ADMIN" }, orderBy: { createdAt: "asc" } });
  const size = (n: number) => Math.max(1, Math.round(n * factor));
  const A = size(scaleAtFactorOne.applications);
  const U = size(scaleAtFactorOne.users);
  const T = size(scaleAtFactorOne.accessTokens);
  const R = size(scaleAtFactorOne.refreshTokens);
  const E = size(scaleAtFactorOne.auditEvents);
  const hotApps = Math.min(heavyApps, A);
  const hotUsers = Math.min(heavyUsers, U);
  const provider = providerOf(db);
  const now = Math.floor(Date.now() / 1000);
  const sql = dialect(provider, now);
  const appId = (index: string) => `'za' || ${sql.pad(index, 7)}`;
  const userId = (index: string) => `'zu' || ${sql.pad(index, 7)}`;
  const passwordHash = await hashPassword(randomBytes(24).toString("base64url"));
  const secretHash = hashCredential(randomBytes(32).toString("base64url"));

  async function run(label: string, total: number, statement: (from: number, to: number) => string) {
    const started = Date.now();
    for (let from = 1; from <= total; from += chunk) {
      const to = Math.min(total, from + chunk - 1);
      await db.$executeRawUnsafe(statement(from, to));
    }
    onProgress(`${label}: ${total.toLocaleString("en")} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  await run("users", U, (from, to) =>
    sql.series(
      from,
      to,
      `INSERT INTO "User" ("id", "email", "name", "passwordHash", "role", "disabled", "lastSignInAt", "createdAt", "updatedAt")`,
      `SELECT ${userId("i")}, 'user' || i || '@scale.example.com', 'Scale User ' || i, ${textLiteral(passwordHash)},
        ${sql.enumValue("USER", "Role")}, (i % 97 = 0),
        CASE WHEN i % 5 = 0 THEN NULL ELSE ${sql.ago("(i * 7919) % 2592000")} END,
        ${sql.ago(`(${U} - i) * 300 + 86400`)}, ${sql.ago(`(${U} - i) * 300 + 86400`)}`,
    ),
  );

  const appNameWord = `CASE i % 5 WHEN 0 THEN 'portal' WHEN 1 THEN 'mobile' WHEN 2 THEN 'reports' WHEN 3 THEN 'billing' ELSE 'intranet' END`;
  // i % 4: 0 public SPA (code), 1 web app (code), 2 web app that also calls APIs (code + client
  // credentials), 3 machine-to-machine (client credentials only).
  await run("applications", A, (from, to) =>
    sql.series(
      from,
      to,
      `INSERT INTO "Application" ("id", "clientId", "clientSecretHash", "clientSecretHint", "clientSecretIssuedAt", "name",
        "clientType", "skipAuthorization", "algorithm", "pkceRequired", "introspectAnyToken", "createdAt", "updatedAt")`,
      `SELECT ${appId("i")}, 'scale-' || ${sql.pad("i", 7)},
        CASE WHEN i % 4 = 0 THEN NULL ELSE ${textLiteral(secretHash)} END,
        CASE WHEN i % 4 = 0 THEN NULL ELSE 'sCa1' END,
        CASE WHEN i % 4 = 0 THEN NULL ELSE ${sql.ago(`(${A} - i) * 300`)} END,
        'Scale app ' || i || ' (' || ${appNameWord} || ')',
        CASE WHEN i % 4 = 0 THEN ${sql.enumValue("PUBLIC", "ClientType")} ELSE ${sql.enumValue("CONFIDENTIAL", "ClientType")} END,
        (i % 10 = 1),
        CASE WHEN i % 4 = 3 THEN ${sql.enumValue("NONE", "SigningAlgorithm")} ELSE ${sql.enumValue("RS256", "SigningAlgorithm")} END,
        (1 = 1), (1 = 0), ${sql.ago(`(${A} - i) * 300`)}, ${sql.ago(`(${A} - i) * 150`)}`,
    ),
  );
  for (const [grantType, condition] of [
    ["authorization_code", "i % 4 <> 3"],
    ["refresh_token", "i % 4 <> 3"],
    ["client_credentials", "i % 4 >= 2"],
  ] as const) {
    await run(`applications' ${grantType}`, A, (from, to) =>
      sql.series(
        from,
        to,
        `INSERT INTO "ApplicationGrantType" ("applicationId", "grantType")`,
        `SELECT ${appId("i")}, '${grantType}'`,
        condition,
      ),
    );
  }
  await run("redirect URIs", A, (from, to) =>
    sql.series(
      from,
      to,
      `INSERT INTO "ApplicationUri" ("id", "applicationId", "kind", "uri", "position")`,
      `SELECT 'zr' || ${sql.pad("i", 7)}, ${appId("i")}, ${sql.enumValue("REDIRECT", "ApplicationUriKind")},
        'https://app' || i || '.scale.example.com/callback', 0`,
      "i % 4 <> 3",
    ),
  );
  for (const [scope, condition] of [
    ["openid", "i % 4 <> 3"],
    ["profile", "i % 4 <> 3"],
    ["read", "1 = 1"],
  ] as const) {
    await run(`applications' scope ${scope}`, A, (from, to) =>
      sql.series(
        from,
        to,
        `INSERT INTO "ApplicationScope" ("applicationId", "scope")`,
        `SELECT ${appId("i")}, '${scope}'`,
        condition,
      ),
    );
  }

  // An app index that has the code grant (i % 4 <> 3) and one that has client credentials (>= 2).
  const codeApp = (n: string) => `((${n} - 1) / 3 * 4 + ((${n} - 1) % 3) + 1 + ((${n} - 1) % 3) / 2)`;
  const clientCredentialsApp = (n: string) => `(((${n} - 1) / 2) * 4 + ((${n} - 1) % 2) + 2)`;
  const hot = (expr: string, count: number, all: number) =>
    `CASE WHEN i % 2 = 0 THEN ((i / 2) % ${count}) + 1 ELSE ${scatter(expr, all)} END`;
  const tokenUser = `CASE WHEN i % 10 = 1 THEN ((i / 10) % ${hotUsers}) + 1 ELSE ${scatter("i", U, 40503)} END`;
  // One in ten access tokens is live: issued in the last 30 minutes with a 30-day lifetime, so they
  // are still live when a seeded database is measured again days later. The rest had an hour and
  // expired at some point in the last month. One in three is a client credentials token.
  const accessAge = `CASE WHEN i % 10 = 0 THEN i % 1800 ELSE 3600 + ((i * 7919) % 2592000) END`;
  await run("access tokens", T, (from, to) =>
    sql.series(
      from,
      to,
      `INSERT INTO "AccessToken" ("id", "tokenHash", "applicationId", "userId", "scope", "grantType", "expiresAt", "createdAt")`,
      `SELECT 'zt' || ${sql.pad("i", 8)}, 'zth' || ${sql.pad("i", 8)},
        CASE WHEN i % 3 = 0
          THEN ${appId(clientCredentialsApp(hot("i", Math.max(1, Math.floor(hotApps / 2)), Math.max(1, Math.floor(A / 2)))))}
          ELSE ${appId(codeApp(hot("i", Math.max(1, Math.floor((hotApps * 3) / 4)), Math.max(1, Math.floor((A * 3) / 4)))))} END,
        CASE WHEN i % 3 = 0 THEN NULL ELSE ${userId(tokenUser)} END,
        CASE WHEN i % 3 = 0 THEN 'read' ELSE 'openid profile' END,
        CASE WHEN i % 3 = 0 THEN 'client_credentials' ELSE 'authorization_code' END,
        ${sql.ago(`(${accessAge}) - CASE WHEN i % 10 = 0 THEN 2592000 ELSE 3600 END`)}, ${sql.ago(accessAge)}`,
    ),
  );
  // Refresh tokens: 30 days' lifetime; four in ten live, one in ten revoked, the rest expired.
  const refreshAge = `CASE WHEN i % 10 < 4 THEN (i * 7919) % 2592000 ELSE 2592000 + ((i * 7919) % 2592000) END`;
  await run("refresh tokens", R, (from, to) =>
    sql.series(
      from,
      to,
      `INSERT INTO "RefreshToken" ("id", "tokenHash", "applicationId", "userId", "scope", "familyId", "expiresAt", "revokedAt", "createdAt")`,
      `SELECT 'zf' || ${sql.pad("i", 8)}, 'zfh' || ${sql.pad("i", 8)},
        ${appId(codeApp(hot("i", Math.max(1, Math.floor((hotApps * 3) / 4)), Math.max(1, Math.floor((A * 3) / 4)))))},
        ${userId(tokenUser)}, 'openid profile offline_access', 'zfam' || ${sql.pad("i", 8)},
        ${sql.ago(`(${refreshAge}) - 2592000`)},
        CASE WHEN i % 10 = 3 THEN ${sql.ago(`(${refreshAge}) / 2`)} ELSE NULL END,
        ${sql.ago(refreshAge)}`,
    ),
  );

  // Every user has approved two apps; the heavy users, 200 more each.
  const codeApps = Math.max(1, Math.floor((A * 3) / 4));
  const consentSelect = (user: string, app: string) =>
    `SELECT 'zc' || ${sql.pad("i", 8)}, ${userId(user)}, ${appId(codeApp(app))}, 'openid profile',
      ${sql.ago("-7776000 + (i % 86400)")}, ${sql.ago("86400 + (i * 7919) % 2592000")}, ${sql.ago("86400 + (i * 7919) % 2592000")}`;
  const consentInsert = `INSERT INTO "Consent" ("id", "userId", "applicationId", "scope", "expiresAt", "createdAt", "updatedAt")`;
  const generalConsents = Math.min(2, codeApps) * U;
  await run("consents", generalConsents, (from, to) =>
    sql.series(from, to, consentInsert, consentSelect(`((i - 1) % ${U}) + 1`, `((i - 1) / ${U}) + 1`)),
  );
  const extraPerUser = Math.max(0, Math.min(heavyConsentsPerUser, codeApps - 2));
  if (extraPerUser > 0) {
    await run("heavy users' consents", hotUsers * extraPerUser, (from, to) =>
      sql.series(
        generalConsents + from,
        generalConsents + to,
        consentInsert,
        consentSelect(
          `((i - ${generalConsents + 1}) % ${hotUsers}) + 1`,
          `((i - ${generalConsents + 1}) / ${hotUsers}) + 3`,
        ),
      ),
    );
  }

  // Spread over the last year, oldest first; the action's details as the server writes them.
  const adminId = admin ? textLiteral(admin.id) : "NULL";
  const adminEmail = admin ? textLiteral(admin.email) : "NULL";
  const eventApp = appId(scatter("i", A));
  const eventUser = userId(scatter("i", U, 40503));
  await run("audit entries", E, (from, to) =>
    sql.series(
      from,
      to,
      `INSERT INTO "AuditEvent" ("id", "createdAt", "actorId", "actorEmail", "ip", "action", "applicationId", "targetUserId", "details")`,
      `SELECT 'ze' || ${sql.pad("i", 9)}, ${sql.ago(`(${E} - i) * 31536 / ${Math.max(1, Math.round(E / 1000))} + 60`)},
        CASE WHEN i % 4 < 2 THEN ${eventUser} ELSE ${adminId} END,
        CASE WHEN i % 4 < 2 THEN 'user' || ${scatter("i", U, 40503)} || '@scale.example.com' ELSE ${adminEmail} END,
        '203.0.113.' || (i % 250),
        CASE i % 4 WHEN 0 THEN 'auth.signed_in' WHEN 1 THEN 'auth.sign_in_failed'
          WHEN 2 THEN 'application.updated' ELSE 'application.trust_changed' END,
        CASE WHEN i % 4 >= 2 THEN ${eventApp} ELSE NULL END,
        CASE WHEN i % 4 < 2 THEN ${eventUser} ELSE NULL END,
        CASE i % 4
          WHEN 0 THEN '{}'
          WHEN 1 THEN '{"email":"user' || ${scatter("i", U, 40503)} || '@scale.example.com"}'
          WHEN 2 THEN '{"name":"Scale app ' || ${scatter("i", A)} || '","changes":{"redirectUris":{"from":["https://app' || ${scatter("i", A)} || '.scale.example.com/callback"],"to":["https://app' || ${scatter("i", A)} || '.scale.example.com/callback","https://app' || ${scatter("i", A)} || '.scale.example.com/callback-' || (i % 1000) || '"]}}}'
          ELSE '{"name":"Scale app ' || ${scatter("i", A)} || '","changes":{"skipAuthorization":{"from":false,"to":true}}}' END`,
    ),
  );

  // A month of usage for the busiest applications, as the usage counter writes it.
  const usageApps = Math.min(1000, A);
  const usageRows = usageApps * usageDays;
  for (const [grantType, outcome, volume] of [
    ["authorization_code", "issued", 200],
    ["refresh_token", "issued", 400],
    ["authorization_code", "failed", 7],
  ] as const) {
    await run(`usage: ${grantType} ${outcome}`, usageRows, (from, to) =>
      sql.series(
        from,
        to,
        `INSERT INTO "UsageCounter" ("day", "applicationId", "grantType", "outcome", "count")`,
        `SELECT ${sql.day(`((i - 1) / ${usageApps}) * 86400`)}, ${appId(codeApp(`((i - 1) % ${usageApps}) + 1`))},
          '${grantType}', '${outcome}', ${volume} + (i * 7919) % ${volume}`,
      ),
    );
  }

  // Planner statistics and the visibility map (index-only counts) as autovacuum leaves them on PostgreSQL. SQLite has none unless
  // something runs ANALYZE, and the server never does (on a large file it holds the write lock for
  // seconds): its queries must be fast without them.
  if (provider === "postgresql") await db.$executeRawUnsafe("VACUUM ANALYZE");
  return {
    seeded: true,
    counts: {
      applications: A,
      users: U,
      accessTokens: T,
      refreshTokens: R,
      consents: generalConsents + hotUsers * extraPerUser,
      auditEvents: E,
      usageCounters: usageRows * 3,
    },
  };
}
