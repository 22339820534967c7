/**
 * The limit on failed client authentication (lib/oauth/client-auth-throttle.ts) against real
 * SQLite and PostgreSQL databases, through the protocol core's token, introspection and revocation
 * endpoints: per client and address, per address over all client ids, shared by instances through
 * the database, on an injected clock; and free for successful requests, which never reach the
 * failure store unless their client or address failed recently in this process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/applications/commands";
import { systemActor } from "@/lib/audit/record";
import { prismaClientAuthFailures } from "@/lib/db/client-auth-failures";
import type { Db } from "@/lib/db/client";
import type { ClientAuthFailures, ClientAuthLimits } from "@/lib/oauth/client-auth-throttle";
import { hintedClientAuthThrottle, type HintPeers } from "@/lib/oauth/client-auth-throttle";
import type { ProtocolContext } from "@/lib/oauth/context";
import { OAuthError } from "@/lib/oauth/errors";
import { errorResponse } from "@/lib/oauth/http";
import { handleIntrospection } from "@/lib/oauth/introspect";
import { parseParams } from "@/lib/oauth/params";
import { handleRevocation } from "@/lib/oauth/revoke";
import { handleTokenRequest } from "@/lib/oauth/token";
import { testProtocol } from "../support/protocol.ts";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

const limits: ClientAuthLimits = { limit: 4, addressLimit: 10, window: 60 };

describe.each(providers)("client authentication limit on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  let now: Date;
  let client: { clientId: string; clientSecret: string };
  /** The store's calls, counted: the real store underneath. */
  const calls = { record: 0, retryAfter: 0 };

  /**
   * An instance: its own in-process hint, the shared database, the test's clock; with `peers`, one
   * of the workers of one server, which tell each other their failures (lib/server/protocol.ts
   * relays them through the cluster's primary; here, synchronously).
   */
  function instance(peers?: HintPeers): ProtocolContext {
    const real = prismaClientAuthFailures(db);
    const counted: ClientAuthFailures = {
      record: (key, at) => (calls.record++, real.record(key, at)),
      retryAfter: (key, given, at) => (calls.retryAfter++, real.retryAfter(key, given, at)),
    };
    return {
      ...testProtocol(db, { now: () => now }),
      clientAuthThrottle: hintedClientAuthThrottle(counted, limits, undefined, peers),
    };
  }

  /** What the cluster's relay does: a failure one worker publishes, every other worker notes. */
  function workerBus(): () => HintPeers {
    const workers: ((key: { clientId: string; source: string }, until: number) => void)[] = [];
    return () => {
      let mine: ((key: { clientId: string; source: string }, until: number) => void) | undefined;
      return {
        publish: (key, until) => workers.filter((note) => note !== mine).forEach((note) => note(key, until)),
        subscribe: (note) => {
          mine = note;
          workers.push(note);
        },
      };
    };
  }

  const tick = (seconds: number) => (now = new Date(now.getTime() + seconds * 1000));

  /** A request's HTTP status and Retry-After, as lib/oauth/http.ts would answer it. */
  async function answer(
    call: () => Promise<unknown>,
  ): Promise<{ status: number; retryAfter?: string; error?: string }> {
    try {
      await call();
      return { status: 200 };
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      const response = errorResponse(error);
      return {
        status: response.status,
        error: JSON.parse(response.body).error,
        ...(response.headers["Retry-After"] ? { retryAfter: response.headers["Retry-After"] } : {}),
      };
    }
  }

  const form = (fields: Record<string, string>) => parseParams(new URLSearchParams(fields).toString());
  const tokenRequest = (ctx: ProtocolContext, secret: string, ip: string, clientId = client.clientId) =>
    answer(() =>
      handleTokenRequest(
        ctx,
        form({ grant_type: "client_credentials", client_id: clientId, client_secret: secret }),
        null,
        { ip },
      ),
    );

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
  });
  afterAll(async () => {
    await t?.drop();
  });

  /** A fresh client and a clock of its own per test, so that no test's counts reach another. */
  async function freshClient() {
    const created = await createApplication(
      db,
      { name: `Limited ${Math.random()}`, clientType: "confidential", grantTypes: ["client_credentials"] },
      systemActor,
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    client = { clientId: created.application.clientId, clientSecret: created.clientSecret! };
    now = new Date(Date.now() + Math.floor(Math.random() * 1e9));
  }

  it("after the limit of wrong secrets from one address, that address gets 429 with Retry-After, even with the right secret, until the oldest failure leaves the window", async () => {
    await freshClient();
    const ctx = instance();
    const attacker = "198.51.100.10";
    for (let i = 0; i < limits.limit; i++) {
      expect(await tokenRequest(ctx, `wrong-${i}`, attacker)).toEqual({ status: 401, error: "invalid_client" });
      tick(1);
    }
    expect(await tokenRequest(ctx, "wrong-again", attacker)).toEqual({
      status: 429,
      error: "invalid_client",
      retryAfter: String(limits.window - limits.limit),
    });
    expect((await tokenRequest(ctx, client.clientSecret, attacker)).status).toBe(429);
    // The same at introspection and revocation: one count for the client and address.
    const auth = { client_id: client.clientId, client_secret: client.clientSecret };
    expect(
      (await answer(() => handleIntrospection(ctx, form({ ...auth, token: "x" }), null, { ip: attacker }))).status,
    ).toBe(429);
    expect(
      (await answer(() => handleRevocation(ctx, form({ ...auth, token: "x" }), null, { ip: attacker }))).status,
    ).toBe(429);
    // Refusals wrote nothing.
    expect(await db.clientAuthFailure.count({ where: { clientId: client.clientId } })).toBe(limits.limit);

    // The client itself, from its own address, is not held up, at any endpoint.
    expect(await tokenRequest(ctx, client.clientSecret, "203.0.113.10")).toEqual({ status: 200 });
    expect(
      (await answer(() => handleIntrospection(ctx, form({ ...auth, token: "x" }), null, { ip: "203.0.113.10" })))
        .status,
    ).toBe(200);
    expect(
      (await answer(() => handleRevocation(ctx, form({ ...auth, token: "x" }), null, { ip: "203.0.113.10" }))).status,
    ).toBe(200);

    // Once the oldest failure has left the window, the attacker's address may try once more.
    tick(limits.window - limits.limit);
    expect((await tokenRequest(ctx, client.clientSecret, attacker)).status).toBe(200);
  });

  it("limits one address over all client ids, known or not, and only that address", async () => {
    await freshClient();
    const ctx = instance();
    const sprayer = "198.51.100.20";
    for (let i = 0; i < limits.addressLimit; i++) {
      expect((await tokenRequest(ctx, "guess", sprayer, `guessed-client-${i}`)).status).toBe(401);
    }
    expect(await tokenRequest(ctx, client.clientSecret, sprayer)).toMatchObject({ status: 429 });
    expect(await tokenRequest(ctx, client.clientSecret, "203.0.113.20")).toEqual({ status: 200 });
  });

  it("counts what every instance recorded: a second instance refuses after at most one guess of its own", async () => {
    await freshClient();
    const attacker = "198.51.100.30";
    const first = instance();
    for (let i = 0; i < limits.limit; i++) expect((await tokenRequest(first, `w-${i}`, attacker)).status).toBe(401);
    const second = instance();
    // The second instance has seen nothing fail: it checks the secret without asking the database...
    expect((await tokenRequest(second, "w-second", attacker)).status).toBe(401);
    // ...and from its first failure on, it asks, and refuses.
    expect((await tokenRequest(second, "w-third", attacker)).status).toBe(429);
    expect((await tokenRequest(second, client.clientSecret, attacker)).status).toBe(429);
  });

  it("the workers of one server tell each other: the limit holds exactly, whichever worker saw each failure", async () => {
    await freshClient();
    const attacker = "198.51.100.40";
    const peers = workerBus();
    const workers = [instance(peers()), instance(peers())];
    // All on one kept-alive connection, so all seen by one worker…
    for (let i = 0; i < limits.limit; i++)
      expect((await tokenRequest(workers[0]!, `w-${i}`, attacker)).status).toBe(401);
    // …yet the other, which saw none, refuses too: no extra guess per worker.
    expect((await tokenRequest(workers[1]!, "w-extra", attacker)).status).toBe(429);
    expect((await tokenRequest(workers[0]!, "w-extra", attacker)).status).toBe(429);
    expect(await db.clientAuthFailure.count({ where: { clientId: client.clientId } })).toBe(limits.limit);
  });

  it("successful requests never reach the failure store, unless their client or address failed here recently", async () => {
    await freshClient();
    const ctx = instance();
    const before = { ...calls };
    for (let i = 0; i < 20; i++)
      expect((await tokenRequest(ctx, client.clientSecret, "203.0.113.40")).status).toBe(200);
    expect(calls).toEqual(before);

    // Another client's failure from another address changes nothing for them.
    expect((await tokenRequest(ctx, "wrong", "198.51.100.40", "someone-else")).status).toBe(401);
    expect(calls).toEqual({ record: before.record + 1, retryAfter: before.retryAfter });
    expect((await tokenRequest(ctx, client.clientSecret, "203.0.113.40")).status).toBe(200);
    expect(calls).toEqual({ record: before.record + 1, retryAfter: before.retryAfter });

    // A failure of this client from this address: its next requests are checked, for the window.
    expect((await tokenRequest(ctx, "wrong", "203.0.113.40")).status).toBe(401);
    expect((await tokenRequest(ctx, client.clientSecret, "203.0.113.40")).status).toBe(200);
    expect(calls.retryAfter).toBe(before.retryAfter + 1);
    tick(limits.window + 1);
    expect((await tokenRequest(ctx, client.clientSecret, "203.0.113.40")).status).toBe(200);
    expect(calls.retryAfter).toBe(before.retryAfter + 1);
  });
});
