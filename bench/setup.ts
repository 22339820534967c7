/**
 * A fresh database for the benchmark (bench/run.ts) and the profiler (bench/profile.ts): SQLite in a
 * temporary folder, or the `portcullis_bench` database on PostgreSQL, migrated, with the first admin
 * and one confidential client allowed the client_credentials grant; for the authorize hop, a signed-in
 * session of the admin's and two browser applications, one trusted (never a consent screen) and one
 * not (always one: nothing is ever approved).
 */
import { mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { encode } from "next-auth/jwt";
import pg from "pg";
import { systemActor } from "../lib/audit/record.ts";
import { createApplication } from "../lib/applications/commands.ts";
import { loadExtensions } from "../lib/extensions/load.ts";
import { readSettings } from "../lib/config/settings.ts";
import { connect } from "../lib/db/client.ts";
import { parseDatabaseUrl } from "../lib/db/url.ts";
import { prepare } from "../lib/setup/bootstrap.ts";
import { startSession } from "../lib/sessions/commands.ts";

export const workDir = path.join(os.tmpdir(), "portcullis-bench");
export const postgresBase =
  process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const tokenBody = "grant_type=client_credentials&scope=read";

export type Provider = "sqlite" | "postgresql";

export interface BenchDatabase {
  provider: Provider;
  databaseUrl: string;
  dataDir: string;
  clientId: string;
  clientSecret: string;
  /** The client ids of the trusted and the untrusted browser application. */
  browserClients: { trusted: string; untrusted: string };
  /** The raw secret of a live session of the admin's (the cookie carries it, lib/web/session-cookie.ts). */
  sessionSecret: string;
}

export const browserRedirectUri = "https://bench.example.com/callback";

/** The benchmark session's cookie, for a server started with `secret` (serverEnv). */
export async function sessionCookie(database: BenchDatabase, secret: string): Promise<string> {
  return `next-auth.session-token=${await encode({ token: { sid: database.sessionSecret }, secret })}`;
}

/** The authorization request of the authorize hop (path and query) for one of the browser clients. */
export function authorizePath(clientId: string): string {
  return `/oauth/authorize?${new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: browserRedirectUri,
    scope: "openid profile",
    state: "bench-state",
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
  })}`;
}

export async function prepareDatabase(provider: Provider): Promise<BenchDatabase> {
  const dataDir = path.join(workDir, provider);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  let databaseUrl = `file:${path.join(dataDir, "portcullis.db")}`;
  if (provider === "postgresql") {
    const url = new URL(postgresBase);
    const admin = new pg.Client({ connectionString: url.toString() });
    await admin.connect();
    try {
      await admin.query("DROP DATABASE IF EXISTS portcullis_bench WITH (FORCE)");
      await admin.query("CREATE DATABASE portcullis_bench");
    } finally {
      await admin.end();
    }
    url.pathname = "/portcullis_bench";
    databaseUrl = url.toString();
  }
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORTCULLIS_DATA_DIR: dataDir,
    PORTCULLIS_ADMIN_PASSWORD: "bench-admin-password-1",
  };
  await prepare(readSettings(env));
  const db = connect(parseDatabaseUrl(databaseUrl));
  try {
    // A deployer's extensions (docs/extending.md) under test: BENCH_CONFIG names the config the
    // servers start with, BENCH_CLIENT_FIELDS (JSON) the benchmark client's custom field values.
    if (process.env.BENCH_CONFIG) await loadExtensions(process.env.BENCH_CONFIG);
    const fields = Object.entries(JSON.parse(process.env.BENCH_CLIENT_FIELDS ?? "{}") as Record<string, unknown>);
    // Realistic relations for findClient: a grant type, two scopes, a CORS origin.
    const saved = await createApplication(
      db,
      {
        name: "Benchmark service",
        clientType: "confidential",
        grantTypes: ["client_credentials"],
        allowedScopes: ["read", "write"],
        allowedOrigins: ["https://bench.example.com"],
        ...Object.fromEntries(fields.map(([key, value]) => [`fields.${key}`, value])),
      },
      systemActor,
    );
    if (!saved.ok || !saved.clientSecret)
      throw new Error(`cannot create the benchmark client: ${JSON.stringify(saved)}`);
    const browserClient = async (name: string, skipAuthorization: boolean) => {
      const created = await createApplication(
        db,
        {
          name,
          clientType: "public",
          grantTypes: ["authorization_code"],
          redirectUris: [browserRedirectUri],
          allowedScopes: ["openid", "profile"],
          algorithm: "RS256",
          skipAuthorization,
          ...Object.fromEntries(fields.map(([key, value]) => [`fields.${key}`, value])),
        },
        systemActor,
      );
      if (!created.ok) throw new Error(`cannot create ${name}: ${JSON.stringify(created)}`);
      return created.application.clientId;
    };
    const admin = await db.user.findFirstOrThrow({ where: { role: "ADMIN" } });
    const session = await startSession(
      db,
      admin.id,
      { userAgent: "bench", ip: "127.0.0.1" },
      readSettings(env).sessions,
    );
    return {
      provider,
      databaseUrl,
      dataDir,
      clientId: saved.application.clientId,
      clientSecret: saved.clientSecret,
      browserClients: {
        trusted: await browserClient("Benchmark web app (trusted)", true),
        untrusted: await browserClient("Benchmark web app", false),
      },
      sessionSecret: session.secret,
    };
  } finally {
    await db.$disconnect();
  }
}

export async function countAccessTokens(databaseUrl: string): Promise<number> {
  const db = connect(parseDatabaseUrl(databaseUrl));
  try {
    return await db.accessToken.count();
  } finally {
    await db.$disconnect();
  }
}

/** client_secret_basic (RFC 6749 §2.3.1: both parts form-urlencoded before base64). */
export function basicAuthorization(database: BenchDatabase): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(database.clientId)}:${encodeURIComponent(database.clientSecret)}`).toString("base64")}`;
}

/** The environment a server process runs with against a benchmark database. */
/** `workers`: PORTCULLIS_WORKERS (1 unless a row measures the cluster: one process, as the rows always did). */
export function serverEnv(database: BenchDatabase, port: number, secret: string, workers = 1): Record<string, string> {
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    NODE_ENV: "production",
    PORTCULLIS_WORKERS: String(workers),
    NEXT_TELEMETRY_DISABLED: "1",
    PORT: String(port),
    DATABASE_URL: database.databaseUrl,
    PORTCULLIS_DATA_DIR: database.dataDir,
    PORTCULLIS_URL: baseUrl,
    NEXTAUTH_URL: baseUrl,
    NEXTAUTH_SECRET: secret,
    PORTCULLIS_SECRET: secret,
    ...(process.env.BENCH_CONFIG ? { PORTCULLIS_CONFIG: process.env.BENCH_CONFIG } : {}),
  };
}
