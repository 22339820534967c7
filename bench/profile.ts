/**
 * Where the token endpoint's time goes: serves the production build in-process
 * (bench/profile-server.mjs), drives POST /oauth/token (client_credentials) with wrk for a warm-up
 * and then under V8's CPU profiler, and prints the profile by package and by function
 * (bench/analyze-profile.ts).
 *
 *   npx tsx bench/profile.ts [sqlite|postgresql] [seconds=15] [connections=10] [path=/oauth/token]
 *
 * path `consent` profiles GET /oauth/authorize answered with the consent page, as a signed-in user.
 *
 * The .cpuprofile is kept in bench/results/ (open it in Chrome DevTools or speedscope).
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { projectRoot } from "../lib/setup/bootstrap.ts";
import { analyzeProfile } from "./analyze-profile.ts";
import {
  authorizePath,
  basicAuthorization,
  prepareDatabase,
  serverEnv,
  sessionCookie,
  tokenBody,
  type Provider,
} from "./setup.ts";

const provider = (process.argv[2] ?? "sqlite") as Provider;
const seconds = Number(process.argv[3] ?? 15);
const connections = Number(process.argv[4] ?? 10);
const route = process.argv[5] ?? "/oauth/token";
const port = 3995;
const profileDir = path.join(projectRoot, "bench/results");
mkdirSync(profileDir, { recursive: true });

const database = await prepareDatabase(provider);
const secret = randomBytes(32).toString("base64url");
const consent = route === "consent";
const file = path.join(
  profileDir,
  `${consent ? "consent" : "token"}-${provider}-c${connections}-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`,
);
const server = spawn(
  process.execPath,
  ["--import", "tsx", path.join(projectRoot, "bench/profile-server.mjs"), projectRoot, String(port), file],
  {
    cwd: projectRoot,
    env: { ...process.env, ...serverEnv(database, port, secret) },
    stdio: ["ignore", "inherit", "inherit"],
  },
);
const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));

for (let i = 0; ; i++) {
  try {
    if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) break;
  } catch {
    if (i > 400) throw new Error("profile server did not start");
  }
  await new Promise((resolve) => setTimeout(resolve, 250));
}

const post = route === "/oauth/token";
const target = consent ? authorizePath(database.browserClients.untrusted) : route;
const cookie = consent ? await sessionCookie(database, secret) : "";
async function wrk(duration: number) {
  const child = spawn(
    "wrk",
    [
      "-t",
      // wrk wants at least as many connections as threads.
      String(Math.min(2, connections)),
      "-c",
      String(connections),
      "-d",
      `${duration}s`,
      "-s",
      path.join(projectRoot, "bench/wrk.lua"),
      `http://127.0.0.1:${port}${target}`,
    ],
    {
      env: {
        ...process.env,
        BENCH_METHOD: post ? "POST" : "GET",
        BENCH_BODY: post ? tokenBody : "",
        BENCH_AUTH: post ? basicAuthorization(database) : "",
        BENCH_COOKIE: cookie,
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.once("exit", resolve));
  return JSON.parse(
    out
      .split("\n")
      .find((line) => line.startsWith("BENCH_JSON "))!
      .slice("BENCH_JSON ".length),
  ) as {
    requests: number;
    durationUs: number;
    non2xx: number;
  };
}

await wrk(5); // warm-up, not profiled
server.kill("SIGUSR2");
await new Promise((resolve) => setTimeout(resolve, 200));
const totals = await wrk(seconds);
server.kill("SIGTERM");
await exited;

console.log(
  `${provider} ${route}: ${totals.requests} requests in ${(totals.durationUs / 1e6).toFixed(1)} s = ${Math.round(totals.requests / (totals.durationUs / 1e6))} req/s, non-2xx ${totals.non2xx} (under the profiler)`,
);
console.log(`profile: ${file}\n`);
analyzeProfile(file, { requests: totals.requests, projectRoot });
