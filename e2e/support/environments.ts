/**
 * The two servers the browser and protocol tests run against: the same production build, once on
 * SQLite and once on PostgreSQL. Each gets a clean database at start (see reset-database.ts).
 */
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
const postgresBase = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export const admin = { email: "admin@example.com", password: "e2e-admin-password-1" };

export interface Environment {
  name: "sqlite" | "postgres" | "team-apps-sqlite" | "team-apps-postgres";
  port: number;
  baseURL: string;
  dataDir: string;
  databaseUrl: string;
  /** A deployer's config the server starts with (PORTCULLIS_CONFIG). */
  config?: string;
  /** PORTCULLIS_WORKERS: 1 unless said otherwise. */
  workers?: number;
}

function postgresUrl(database: string): string {
  const url = new URL(postgresBase);
  url.pathname = `/${database}`;
  return url.toString();
}

// E2E_PORT_BASE lets two checkouts run their suites side by side (ports, data and databases differ).
const portBase = Number(process.env.E2E_PORT_BASE ?? 3101);

function environment(name: Environment["name"], port: number, config?: string, workers?: number): Environment {
  const dataDir = path.join(root, `.test-data/e2e-${name}-${port}`);
  return {
    name,
    port,
    baseURL: `http://localhost:${port}`,
    dataDir,
    databaseUrl: name.endsWith("sqlite")
      ? `file:${path.join(dataDir, "portcullis.db")}`
      : postgresUrl(`portcullis_e2e_${port}`),
    ...(config ? { config } : {}),
    ...(workers ? { workers } : {}),
  };
}

/**
 * The PostgreSQL server runs as `npm start` does by default on a machine of several cores, a
 * primary and two workers (PORTCULLIS_WORKERS), so every spec's flows (sign-in, consent, device
 * flow, throttles…) also pass with consecutive requests served by different processes; the others
 * run one process, which keeps the suite's start-up and memory as they were.
 */
export const environments: Environment[] = [
  environment("sqlite", portBase),
  environment("postgres", portBase + 1, undefined, 2),
];

/** The same build started with the example extensions (examples/team-apps), for e2e/extensions.spec.ts. */
export const teamAppsConfig = "examples/team-apps/portcullis.config.ts";
export const extensionEnvironments: Environment[] = [
  environment("team-apps-sqlite", portBase + 2, teamAppsConfig),
  environment("team-apps-postgres", portBase + 3, teamAppsConfig),
];

/** The environment variables a test server runs with. */
export function serverEnv(environment: Environment): Record<string, string> {
  return {
    PORT: String(environment.port),
    PORTCULLIS_URL: environment.baseURL,
    PORTCULLIS_DATA_DIR: environment.dataDir,
    DATABASE_URL: environment.databaseUrl,
    PORTCULLIS_ADMIN_EMAIL: admin.email,
    PORTCULLIS_ADMIN_PASSWORD: admin.password,
    PORTCULLIS_WORKERS: String(environment.workers ?? 1),
    NEXT_TELEMETRY_DISABLED: "1",
    // Every spec (and the fuzzer) sends from 127.0.0.1: the per-address limits across accounts and
    // clients would soon refuse everyone. They have integration tests; the per-account and
    // per-client limits stay at their defaults here (e2e/throttles.spec.ts).
    PORTCULLIS_SIGN_IN_ADDRESS_LIMIT: "1000000",
    PORTCULLIS_CLIENT_AUTH_ADDRESS_LIMIT: "1000000",
    PORTCULLIS_USER_CODE_ADDRESS_LIMIT: "1000000",
    // Devices poll every second (RFC 8628's default is 5), so e2e/device-flow.spec.ts stays fast.
    PORTCULLIS_DEVICE_POLL_INTERVAL: "1",
    ...(environment.config ? { PORTCULLIS_CONFIG: environment.config } : {}),
  };
}
