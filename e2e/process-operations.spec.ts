/**
 * The server as an operator runs it (`npm start`, a process of the test's own, fresh database),
 * driven over plain HTTP, no browser: the access log holds a line per request and none of the
 * flows' secrets, /api/ready and /metrics answer, and SIGTERM (SIGINT on PostgreSQL) under load
 * answers every request in flight, counts every token issued, and exits 0.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { connect, type Db } from "../lib/db/client.ts";
import { parseDatabaseUrl } from "../lib/db/url.ts";
import { admin } from "./support/environments.ts";
import { startIsolatedServer, type IsolatedServer } from "./support/isolated-server.ts";
import {
  authorize,
  basic,
  client,
  codeFlowStart,
  postForm,
  registerClient,
  relyingParty,
  signedInSession,
} from "./support/oauth.ts";

const metricsToken = "e2e-metrics-token-5b1c";

interface Started {
  server: IsolatedServer;
  db: Db;
}

/** `npm start`'s own command: the test's signals reach the server alone, as systemd's would (docs). */
const serverCommand = "node --import tsx scripts/start.ts";

async function start(databaseUrl: string, env: Record<string, string> = {}): Promise<Started> {
  const server = await startIsolatedServer(
    databaseUrl,
    { PORTCULLIS_METRICS_TOKEN: metricsToken, ...env },
    serverCommand,
  );
  return { server, db: connect(parseDatabaseUrl(server.databaseUrl)) };
}

async function stop({ server, db }: Started): Promise<void> {
  await db.$disconnect();
  await server.stop();
}

/** One token request on a connection of its own (or `agent`'s kept-alive one): its status, or the socket error's code. */
function tokenOnNewConnection(port: number, authorization: string, agent: Agent | false = false) {
  return new Promise<number | string>((resolve) => {
    const request = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path: "/oauth/token",
        method: "POST",
        agent,
        headers: { "content-type": "application/x-www-form-urlencoded", authorization },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      },
    );
    request.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    request.end("grant_type=client_credentials");
  });
}

test.describe("the server process", () => {
  test.describe.configure({ mode: "serial" });
  test("access log, OAuth error details and no secrets in the log; /api/ready and /metrics", async ({}, testInfo) => {
    test.setTimeout(120_000);
    const started = await start(testInfo.project.metadata.databaseUrl as string);
    const { server, db } = started;
    try {
      const { baseURL } = server;
      // The flows: client credentials, introspection, revocation, a full code flow with refresh.
      const machine = await registerClient(db, {
        grantTypes: ["client_credentials"],
        redirectUris: [],
        postLogoutRedirectUris: [],
      });
      const machineAuth = basic(machine.clientId, machine.clientSecret!);
      const issued = await postForm(baseURL, "/oauth/token", { grant_type: "client_credentials" }, machineAuth);
      expect(issued.status).toBe(200);
      const accessToken = issued.body.access_token as string;
      expect((await postForm(baseURL, "/oauth/introspect", { token: accessToken }, machineAuth)).status).toBe(200);
      expect((await postForm(baseURL, "/oauth/revoke", { token: accessToken }, machineAuth)).status).toBe(200);
      const wrongSecret = "wrong-secret-" + "9f3e1d";
      const refused = await postForm(
        baseURL,
        "/oauth/token",
        { grant_type: "client_credentials" },
        basic(machine.clientId, wrongSecret),
      );
      expect(refused.status).toBe(401);

      const app = await registerClient(db, { skipAuthorization: true });
      const config = await relyingParty(baseURL, app);
      const session = await signedInSession(baseURL, admin.email, admin.password);
      const flow = await codeFlowStart(config);
      const redirect = await authorize(session, flow.url);
      const code = redirect.searchParams.get("code")!;
      const tokens = await client.authorizationCodeGrant(config, redirect, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
      });
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      await session.dispose();
      const wrongPassword = "not-the-password-" + "77aa";
      const csrf = await fetch(`${baseURL}/api/auth/csrf`);
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      await fetch(`${baseURL}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: csrf.headers
            .getSetCookie()
            .map((cookie) => cookie.split(";")[0])
            .join("; "),
        },
        body: new URLSearchParams({ csrfToken, email: admin.email, password: wrongPassword }).toString(),
      });

      // An authorization request the user is shown an error for (no client to redirect to).
      const shown = await fetch(`${baseURL}/oauth/authorize?client_id=nobody&response_type=code`);
      expect(await shown.text()).toContain("No application is registered with this client_id");

      // Readiness and metrics.
      const ready = await fetch(`${baseURL}/api/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "ready" });
      expect((await fetch(`${baseURL}/metrics`)).status).toBe(401);
      expect((await fetch(`${baseURL}/metrics`, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
      const scrape = await fetch(`${baseURL}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      expect(scrape.status).toBe(200);
      const exposition = await scrape.text();
      expect(exposition).toContain('portcullis_tokens_issued_total{grant_type="client_credentials"} 1');
      expect(exposition).toContain('portcullis_tokens_issued_total{grant_type="authorization_code"} 1');
      expect(exposition).toContain('portcullis_tokens_issued_total{grant_type="refresh_token"} 1');
      expect(exposition).toMatch(/portcullis_client_authentication_failures_total [1-9]/);
      expect(exposition).toMatch(/portcullis_user_authentication_failures_total [1-9]/);
      expect(exposition).toMatch(/portcullis_http_requests_total\{endpoint="\/oauth\/token",outcome="2xx"\} [3-9]/);
      expect(exposition).toContain(
        'portcullis_http_request_duration_seconds_bucket{le="0.5",endpoint="/oauth/token",outcome="4xx"}',
      );
      expect(exposition).toContain("portcullis_nodejs_eventloop_lag_seconds");
      if (testInfo.project.name === "postgres")
        expect(exposition).toMatch(/portcullis_db_pool_connections\{state="total"\} [1-9]/);

      // The log: JSON lines, one access line per request, OAuth error details, and no secret.
      await expect.poll(() => server.stdout()).toContain('"route":"/metrics"');
      const lines = server
        .stdout()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const access = lines.filter((line) => line.msg === "request");
      const tokenLine = access.find((line) => line.route === "/oauth/token" && line.status === 200);
      expect(tokenLine).toMatchObject({ method: "POST", client_id: machine.clientId });
      expect(tokenLine!.duration_ms).toEqual(expect.any(Number));
      expect(tokenLine!.request_id).toEqual(expect.any(String));
      expect(access.find((line) => line.route === "/oauth/authorize")).toMatchObject({
        status: 302,
        client_id: app.clientId,
      });
      expect(lines).toContainEqual(
        expect.objectContaining({ msg: "OAuth error", error: "invalid_client", status: 401 }),
      );
      expect(lines).toContainEqual(
        expect.objectContaining({
          msg: "OAuth error",
          error: "invalid_client",
          description: "No application is registered with this client_id",
        }),
      );
      const log = server.stdout() + server.stderr();
      const secrets = {
        clientSecret: machine.clientSecret!,
        appSecret: app.clientSecret!,
        accessToken,
        code,
        userAccessToken: tokens.access_token,
        refreshToken: tokens.refresh_token!,
        rotatedRefreshToken: refreshed.refresh_token!,
        idToken: tokens.id_token!,
        adminPassword: admin.password,
        wrongPassword,
        wrongSecret,
        csrfToken,
        verifier: flow.verifier,
        metricsToken,
      };
      for (const [name, secret] of Object.entries(secrets)) expect(log.includes(secret), name).toBe(false);
    } finally {
      await stop(started);
    }
  });

  test("SIGTERM (SIGINT) under load: every request in flight answered, every token counted, exit 0", async ({}, testInfo) => {
    test.setTimeout(120_000);
    const signal = testInfo.project.name === "postgres" ? "SIGINT" : "SIGTERM";
    const started = await start(testInfo.project.metadata.databaseUrl as string);
    const { server, db } = started;
    try {
      const port = Number(new URL(server.baseURL).port);
      const machine = await registerClient(db, {
        grantTypes: ["client_credentials"],
        redirectUris: [],
        postLogoutRedirectUris: [],
      });
      const authorization = basic(machine.clientId, machine.clientSecret!).authorization!;
      const outcomes: (number | string)[] = [];
      let signalled = false;
      // Requests on connections of their own, as fast as 12 workers go, until the signal.
      const workers = Array.from({ length: 12 }, async () => {
        while (!signalled) outcomes.push(await tokenOnNewConnection(port, authorization));
      });
      // And 4 on connections kept alive between requests, as a reverse proxy keeps them.
      const keptAlive = new Agent({ keepAlive: true, maxSockets: 4 });
      const keepAliveWorkers = Array.from({ length: 4 }, async () => {
        while (!signalled) outcomes.push(await tokenOnNewConnection(port, authorization, keptAlive));
      });
      // And uploads the server is still reading when the signal comes: half a body now, the rest after it.
      const slow = Array.from(
        { length: 4 },
        () =>
          new Promise<number | string>((resolve) => {
            const request = httpRequest(
              {
                host: "127.0.0.1",
                port,
                path: "/oauth/token",
                method: "POST",
                agent: false,
                headers: {
                  "content-type": "application/x-www-form-urlencoded",
                  "content-length": "29",
                  authorization,
                },
              },
              (response) => {
                response.resume();
                response.on("end", () => resolve(response.statusCode ?? 0));
              },
            );
            request.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
            request.write("grant_type=client");
            setTimeout(() => request.end("_credentials"), 1_500);
          }),
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const exited = server.signal(signal);
      signalled = true;
      await Promise.all([...workers, ...keepAliveWorkers]);
      keptAlive.destroy();
      const slowOutcomes = await Promise.all(slow);
      expect(await exited).toBe(0);

      const all = [...outcomes, ...slowOutcomes];
      expect(outcomes.length).toBeGreaterThan(10);
      expect(slowOutcomes).toEqual([200, 200, 200, 200]);
      expect(all.filter((outcome) => outcome !== 200)).toEqual([]);
      // After the exit, nothing listens: refused, not reset.
      expect(await tokenOnNewConnection(port, authorization)).toBe("ECONNREFUSED");
      const counted = await db.usageCounter.aggregate({
        where: { applicationId: machine.id, outcome: "issued" },
        _sum: { count: true },
      });
      expect(counted._sum.count).toBe(all.length);
      expect(server.stdout()).toContain('"msg":"stopped"');
    } finally {
      await stop(started);
    }
  });

  test("a port in use: one line that says so, exit 1", async ({}, testInfo) => {
    test.skip(testInfo.project.name !== "sqlite", "once: no database is involved");
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as { port: number };
    const dataDir = mkdtempSync(path.join(tmpdir(), "portcullis-port-in-use-"));
    try {
      const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
        env: {
          NODE_ENV: "production",
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          PORT: String(port),
          HOST: "127.0.0.1",
          PORTCULLIS_DATA_DIR: dataDir,
          LOG_FORMAT: "json",
          PORTCULLIS_ADMIN_PASSWORD: admin.password,
        },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(result.status).toBe(1);
      const lines = `${result.stdout}${result.stderr}`.split("\n").filter((line) => line.trim() !== "");
      const last = JSON.parse(lines.at(-1)!) as { level: number; msg: string };
      expect(last).toMatchObject({
        level: 60,
        msg: `Port ${port} is already in use (on 127.0.0.1 port ${port}): stop the program listening there, or set PORT to a free port.`,
      });
      // Nothing else went wrong on the way: the other lines are the first start's notes.
      expect(lines.slice(0, -1).every((line) => (JSON.parse(line) as { level: number }).level === 30)).toBe(true);
    } finally {
      holder.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
