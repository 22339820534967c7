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
import { signIn } from "./support/fixtures.ts";
import { connect, type Db } from "../lib/db/client.ts";
import { updateApplication } from "../lib/applications/commands.ts";
import { systemActor } from "../lib/audit/record.ts";
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

/** The server's JSON log lines so far. */
function logLines(server: IsolatedServer): Record<string, unknown>[] {
  return server
    .stdout()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * A request on a connection of its own: the cluster's primary hands each new connection to the
 * next worker in turn, so consecutive calls reach both workers. Its X-Request-Id finds the access
 * line, and so the worker that answered.
 */
function onNewConnection(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; body: string; requestId: string }> {
  const requestId = `e2e-${Math.random().toString(36).slice(2)}`;
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: "127.0.0.1", port, path, method, agent: false, headers: { ...headers, "x-request-id": requestId } },
      (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => (text += chunk.toString()));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text, requestId }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** The worker (1 or 2) whose access line carries `requestId`. */
async function workerOf(server: IsolatedServer, requestId: string): Promise<unknown> {
  await expect.poll(() => server.stdout().includes(requestId)).toBe(true);
  return logLines(server).find((line) => line.request_id === requestId)?.worker;
}

function tokenRequest(port: number, authorization: string) {
  return onNewConnection(
    port,
    "POST",
    "/oauth/token",
    { "content-type": "application/x-www-form-urlencoded", authorization },
    "grant_type=client_credentials",
  );
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

  for (const workerCount of [1, 2])
    test(`SIGTERM (SIGINT) under load, ${workerCount} worker(s): every request in flight answered, every token counted, exit 0`, async ({}, testInfo) => {
      test.setTimeout(120_000);
      const signal = testInfo.project.name === "postgres" ? "SIGINT" : "SIGTERM";
      const started = await start(testInfo.project.metadata.databaseUrl as string, {
        PORTCULLIS_WORKERS: String(workerCount),
      });
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
        const exitCode = await exited;
        const notes = logLines(server).filter((line) => line.msg !== "request");
        expect(exitCode, JSON.stringify(notes.slice(-12))).toBe(0);

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
        if (workerCount > 1) {
          // Both workers served, and each stopped on its own before the primary did.
          const served = new Set(
            logLines(server)
              .filter((line) => line.msg === "request")
              .map((line) => line.worker),
          );
          expect(served).toEqual(new Set([1, 2]));
          const stopped = logLines(server).filter((line) => line.msg === "stopped");
          expect(stopped.map((line) => line.worker ?? "primary")).toEqual(expect.arrayContaining([1, 2, "primary"]));
          expect(stopped.at(-1)!.worker).toBeUndefined();
        }
      } finally {
        await stop(started);
      }
    });

  for (const workers of ["1", "2"])
    test(`a port in use, ${workers} worker(s): one line that says so, exit 1`, async ({}, testInfo) => {
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
            PORTCULLIS_WORKERS: workers,
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

test.describe("several workers (PORTCULLIS_WORKERS=2)", () => {
  test.describe.configure({ mode: "serial" });

  test("both serve; what one worker changes the other uses at once; throttles count across them; one scrape covers both", async ({
    page,
  }, testInfo) => {
    test.setTimeout(300_000);
    const started = await start(testInfo.project.metadata.databaseUrl as string, { PORTCULLIS_WORKERS: "2" });
    const { server, db } = started;
    try {
      const { baseURL } = server;
      const port = Number(new URL(baseURL).port);
      const machine = await registerClient(db, {
        grantTypes: ["client_credentials"],
        redirectUris: [],
        postLogoutRedirectUris: [],
      });
      let issued = 0;
      /** Six requests on connections of their own: their statuses, and the workers that answered. */
      const sixTimes = async (send: () => Promise<{ status: number; requestId: string }>) => {
        const answers = [];
        for (let i = 0; i < 6; i++) answers.push(await send());
        issued += answers.filter((answer) => answer.status === 200).length;
        const workers = new Set(await Promise.all(answers.map((answer) => workerOf(server, answer.requestId))));
        return { statuses: answers.map((answer) => answer.status), workers };
      };

      // The primary hands connections to both workers in turn.
      const first = await sixTimes(() =>
        tokenRequest(port, basic(machine.clientId, machine.clientSecret!).authorization!),
      );
      expect(first).toEqual({ statuses: [200, 200, 200, 200, 200, 200], workers: new Set([1, 2]) });

      // A secret rotated in the dashboard (by whichever worker served that page): from the next
      // request on, both refuse the old secret and take the new one.
      await page.goto(`${baseURL}/admin/applications/${machine.id}`);
      await signIn(page, admin.email, admin.password);
      await page.getByRole("button", { name: "Rotate secret" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Rotate secret" }).click();
      // The new secret is shown once, on its own page (the rotation redirects there).
      await expect(page.getByRole("heading", { name: /^New secret for / })).toBeVisible();
      const rotated = (await page.getByTestId("issued-client-secret").textContent({ timeout: 10_000 }))!;
      expect(rotated).toMatch(/^pcs_/);
      const old = await sixTimes(() =>
        tokenRequest(port, basic(machine.clientId, machine.clientSecret!).authorization!),
      );
      expect(old).toEqual({ statuses: [401, 401, 401, 401, 401, 401], workers: new Set([1, 2]) });
      const renewed = await sixTimes(() => tokenRequest(port, basic(machine.clientId, rotated).authorization!));
      expect(renewed).toEqual({ statuses: [200, 200, 200, 200, 200, 200], workers: new Set([1, 2]) });

      // An application edited elsewhere (another instance, the CLI): client_credentials taken away.
      const edited = await updateApplication(
        db,
        machine.id,
        {
          name: "Machine without the grant",
          clientType: "confidential",
          grantTypes: ["authorization_code"],
          redirectUris: ["https://machine.example.com/callback"],
        },
        systemActor,
      );
      expect(edited.ok).toBe(true);
      const refused = await sixTimes(() => tokenRequest(port, basic(machine.clientId, rotated).authorization!));
      expect(refused).toEqual({ statuses: [400, 400, 400, 400, 400, 400], workers: new Set([1, 2]) });

      // A signing key rotated by the CLI: every worker publishes the new key within a second or so.
      const jwksKids = async () => {
        const kids = new Map<unknown, string[]>();
        for (let i = 0; i < 4; i++) {
          const answer = await onNewConnection(port, "GET", "/oauth/jwks");
          const keys = (JSON.parse(answer.body) as { keys: { kid: string }[] }).keys.map((key) => key.kid).sort();
          kids.set(await workerOf(server, answer.requestId), keys);
        }
        return kids;
      };
      const before = await jwksKids();
      expect([...before.keys()].sort()).toEqual([1, 2]);
      expect(new Set([...before.values()].map((kids) => kids.join()))).toHaveProperty("size", 1);
      const cli = spawnSync(process.execPath, ["bin/portcullis.js", "rotate-signing-key", "--json"], {
        env: {
          NODE_ENV: "production",
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATABASE_URL: server.databaseUrl,
          PORTCULLIS_DATA_DIR: server.dataDir,
        },
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(cli.status, cli.stderr).toBe(0);
      const newKid = (JSON.parse(cli.stdout) as { created: { kid: string } }).created.kid;
      const rotatedAt = Date.now();
      await expect
        .poll(async () => [...(await jwksKids()).values()].every((kids) => kids.includes(newKid)), {
          timeout: 5_000,
          intervals: [100],
        })
        .toBe(true);
      expect(Date.now() - rotatedAt).toBeLessThan(5_000);
      expect([...(await jwksKids()).keys()].sort()).toEqual([1, 2]);

      // Client-secret guessing: 10 failures of one client from one address (the limit), whichever
      // workers saw them, and every worker refuses the next attempt.
      const guessed = await registerClient(db, {
        grantTypes: ["client_credentials"],
        redirectUris: [],
        postLogoutRedirectUris: [],
      });
      const wrong = basic(guessed.clientId, "wrong-" + "secret-5c2a").authorization!;
      const failures = [];
      for (let i = 0; i < 10; i++) failures.push(await tokenRequest(port, wrong));
      expect(failures.map((answer) => answer.status)).toEqual(Array(10).fill(401));
      const throttled = await sixTimes(() => tokenRequest(port, wrong));
      expect(throttled).toEqual({ statuses: [429, 429, 429, 429, 429, 429], workers: new Set([1, 2]) });
      expect(await db.clientAuthFailure.count({ where: { clientId: guessed.clientId } })).toBe(10);

      // One scrape, answered by either worker, counts the tokens both issued.
      for (let i = 0; i < 2; i++) {
        const scrape = await onNewConnection(port, "GET", "/metrics", { authorization: `Bearer ${metricsToken}` });
        expect(scrape.status).toBe(200);
        expect(scrape.body).toContain(`portcullis_tokens_issued_total{grant_type="client_credentials"} ${issued}`);
        expect(scrape.body).toMatch(/portcullis_client_authentication_failures_total (1[6-9]|[2-9]\d)/);
      }
    } finally {
      await stop(started);
    }
  });

  test("a worker that dies is restarted; the other serves meanwhile", async ({}, testInfo) => {
    test.skip(
      testInfo.project.name !== "postgres",
      "the supervisor, not storage: once, where several workers are usual",
    );
    test.setTimeout(120_000);
    const started = await start(testInfo.project.metadata.databaseUrl as string, { PORTCULLIS_WORKERS: "2" });
    const { server, db } = started;
    try {
      const port = Number(new URL(server.baseURL).port);
      const machine = await registerClient(db, {
        grantTypes: ["client_credentials"],
        redirectUris: [],
        postLogoutRedirectUris: [],
      });
      const authorization = basic(machine.clientId, machine.clientSecret!).authorization!;
      const servedBy = async () => {
        const answers = [];
        for (let i = 0; i < 6; i++) answers.push(await tokenRequest(port, authorization));
        expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(200));
        return Promise.all(answers.map((answer) => workerOf(server, answer.requestId)));
      };
      expect(new Set(await servedBy())).toEqual(new Set([1, 2]));
      const pidOf = (worker: number) =>
        logLines(server).findLast((line) => line.worker === worker && line.msg === "request")?.pid as number;
      const killed = pidOf(2);
      process.kill(killed, "SIGKILL");
      await expect
        .poll(() =>
          logLines(server).some((line) => line.msg === "worker died; restarting it" && line.worker_pid === killed),
        )
        .toBe(true);
      // Meanwhile worker 1 answers everything.
      expect(new Set(await servedBy())).toEqual(new Set([1]));
      await expect
        .poll(() => logLines(server).some((line) => line.msg === "worker restarted and listening"), { timeout: 60_000 })
        .toBe(true);
      expect(new Set(await servedBy())).toEqual(new Set([1, 2]));
      expect(pidOf(2)).not.toBe(killed);
      // It still stops cleanly.
      expect(await server.signal("SIGTERM")).toBe(0);
    } finally {
      await stop(started);
    }
  });
});
