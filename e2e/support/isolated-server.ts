/**
 * Production servers of a test's own (`npm start` in its own process group), for tests that must
 * not disturb the shared servers: rules that depend on every admin in the database (the shared
 * servers hold the admin other specs sign in with), settings the shared servers do not run with
 * (tiny session lifetimes), and a database that goes away.
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import pg from "pg";
import { serverEnv, type Environment } from "./environments.ts";

const root = path.resolve(import.meta.dirname, "../..");

export interface IsolatedServer {
  baseURL: string;
  databaseUrl: string;
  /** Its data folder (generated secrets, the key-encryption key), for a CLI run beside it. */
  dataDir: string;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  /** What the server wrote to stdout (its log) so far. */
  stdout(): string;
  /** Sends `signal` to the server's processes; resolves with its exit code once it has exited. */
  signal(signal: NodeJS.Signals): Promise<number | null>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A server on `port` over `databaseUrl` (reset first); `afterStop` runs once it has stopped. */
export async function startServerProcess(
  name: string,
  port: number,
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
  afterStop: () => Promise<void> = async () => {},
  /** How the server is started: `npm start`, or what it runs (then signals reach only the server). */
  command = "npm start",
): Promise<IsolatedServer> {
  const dataDir = path.join(root, `.test-data/e2e-${name}-${port}`);
  const environment: Environment = {
    name: databaseUrl.startsWith("file:") ? "sqlite" : "postgres",
    port,
    baseURL: `http://localhost:${port}`,
    dataDir,
    databaseUrl,
  };
  const child = spawn(
    "sh",
    ["-c", `npx tsx e2e/support/reset-database.ts "${databaseUrl}" "${dataDir}" && exec ${command}`],
    {
      cwd: root,
      env: { ...process.env, ...serverEnv(environment), ...extraEnv },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  let stdout = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  let exited = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      exited = true;
      resolve(code);
    }),
  );
  const signal = async (name: NodeJS.Signals) => {
    if (!exited && child.pid) process.kill(-child.pid, name);
    return exit;
  };
  const stop = async () => {
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    }
    await afterStop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`${environment.baseURL}/login`);
      // With several workers the port answers once the first listens: wait for all of them.
      if (response.ok && stdout.includes("Portcullis is listening"))
        return {
          baseURL: environment.baseURL,
          databaseUrl,
          dataDir,
          stderr: () => stderr,
          stdout: () => stdout,
          signal,
          stop,
        };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await stop();
  throw new Error(`The isolated server did not start: ${stderr.slice(-2000)}`);
}

/** A server on a free port and a fresh database of the same kind as `sharedDatabaseUrl`'s. */
export async function startIsolatedServer(
  sharedDatabaseUrl: string,
  extraEnv: Record<string, string> = {},
  command?: string,
): Promise<IsolatedServer> {
  const port = await freePort();
  if (sharedDatabaseUrl.startsWith("file:")) {
    const dataDir = path.join(root, `.test-data/e2e-isolated-${port}`);
    return startServerProcess(
      "isolated",
      port,
      `file:${path.join(dataDir, "portcullis.db")}`,
      extraEnv,
      async () => {},
      command,
    );
  }
  const database = `portcullis_e2e_isolated_${port}`;
  const url = new URL(sharedDatabaseUrl);
  url.pathname = `/${database}`;
  return startServerProcess(
    "isolated",
    port,
    url.toString(),
    extraEnv,
    async () => {
      const maintenance = new URL(sharedDatabaseUrl);
      maintenance.pathname = "/postgres";
      const connection = new pg.Client({ connectionString: maintenance.toString() });
      await connection.connect();
      await connection.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await connection.end();
    },
    command,
  );
}
