/**
 * A server of its own, on a fresh database of the same kind as a project's: for rules that depend on
 * every admin in the database (the shared servers hold the admin other specs sign in with) and for
 * settings the shared servers do not run with (tiny session lifetimes).
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import pg from "pg";
import { serverEnv, type Environment } from "./environments.ts";

const root = path.resolve(import.meta.dirname, "../..");

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

export async function startIsolatedServer(
  sharedDatabaseUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<{ baseURL: string; stop(): Promise<void> }> {
  const port = await freePort();
  const dataDir = path.join(root, `.test-data/e2e-isolated-${port}`);
  let databaseUrl = `file:${path.join(dataDir, "portcullis.db")}`;
  let dropDatabase = async () => {};
  if (!sharedDatabaseUrl.startsWith("file:")) {
    const url = new URL(sharedDatabaseUrl);
    url.pathname = `/portcullis_e2e_isolated_${port}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const maintenance = new URL(databaseUrl);
      maintenance.pathname = "/postgres";
      const connection = new pg.Client({ connectionString: maintenance.toString() });
      await connection.connect();
      await connection.query(`DROP DATABASE IF EXISTS "portcullis_e2e_isolated_${port}" WITH (FORCE)`);
      await connection.end();
    };
  }
  const environment: Environment = {
    name: databaseUrl.startsWith("file:") ? "sqlite" : "postgres",
    port,
    baseURL: `http://localhost:${port}`,
    dataDir,
    databaseUrl,
  };
  // Its own process group, so stopping it ends npm, tsx and next together (and nothing else).
  const child = spawn(
    "sh",
    ["-c", `npx tsx e2e/support/reset-database.ts "${databaseUrl}" "${dataDir}" && exec npm start`],
    {
      cwd: root,
      env: { ...process.env, ...serverEnv(environment), ...extraEnv },
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", () => ((exited = true), resolve())));
  const stop = async () => {
    if (!exited && child.pid) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
      await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    }
    await dropDatabase();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const response = await fetch(`${environment.baseURL}/login`);
      if (response.ok) return { baseURL: environment.baseURL, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await stop();
  throw new Error(`The isolated server did not start: ${stderr.slice(-2000)}`);
}
