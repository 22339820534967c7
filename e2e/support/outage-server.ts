/**
 * A production server of a test's own (`npm start` in its own process group), for tests that must
 * not disturb the shared servers: here, one whose database goes away.
 */
import { spawn } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { serverEnv, type Environment } from "./environments.ts";

const root = path.resolve(import.meta.dirname, "../..");

export interface OutageServer {
  baseURL: string;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

export async function startOutageServer(
  name: string,
  port: number,
  databaseUrl: string,
  extraEnv: Record<string, string> = {},
): Promise<OutageServer> {
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
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`${environment.baseURL}/login`);
      if (response.ok) return { baseURL: environment.baseURL, stderr: () => stderr, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await stop();
  throw new Error(`The isolated server did not start: ${stderr.slice(-2000)}`);
}
