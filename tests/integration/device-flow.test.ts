/**
 * The device authorization grant (RFC 8628) through the protocol core on real, migrated SQLite and
 * PostgreSQL databases, with the clock injected: the device authorization endpoint, the user's code
 * entry and answer (the functions the /device pages call), and the token endpoint's polling.
 */
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/applications/commands";
import { systemActor } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import type { SignedInUser } from "@/lib/oauth/authorize";
import type { ProtocolContext } from "@/lib/oauth/context";
import { handleDeviceAuthorization, type DeviceAuthorizationResponse } from "@/lib/oauth/device-authorization";
import {
  answerDevice,
  decideDevice,
  enterUserCode,
  findDeviceRequest,
  type DeviceRequest,
} from "@/lib/oauth/device-verification";
import { OAuthError } from "@/lib/oauth/errors";
import { parseParams } from "@/lib/oauth/params";
import type { Policy } from "@/lib/oauth/policy";
import { hashCredential } from "@/lib/oauth/secrets";
import { handleTokenRequest } from "@/lib/oauth/token";
import { mintTokens } from "@/lib/oauth/tokens";
import { hashUserCode, normaliseUserCode } from "@/lib/oauth/user-code";
import { authorizationServerMetadata } from "@/lib/oauth/discovery";
import { createUser } from "@/lib/users/commands";
import { testProtocol } from "../support/protocol.ts";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

const second = 1000;
const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code";
const ip = "192.0.2.7";

describe.each(providers)("the device authorization grant on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  let now: Date;
  let users: SignedInUser[];
  let tv: { id: string; clientId: string };
  let trusted: { id: string; clientId: string };
  let service: { clientId: string; clientSecret: string };
  let codeOnly: { clientId: string };
  let decisions: { decision: string; userId: string }[];
  let usage: { grantType: string; outcome: string }[] = [];

  function context(
    options: { policy?: Policy; approvalPrompt?: "auto" | "force"; limits?: object } = {},
  ): ProtocolContext {
    const ctx = testProtocol(db, {
      now: () => now,
      lifetimes: { consent: 90 * 86_400 },
      deviceAuthorization: {
        lifetime: 600,
        interval: 5,
        userLimit: 3,
        addressLimit: 100,
        window: 900,
        ...options.limits,
      },
    });
    return {
      ...ctx,
      config: { ...ctx.config, approvalPrompt: options.approvalPrompt ?? "auto" },
      policy: options.policy,
      onDeviceDecision: async ({ decision, user }) => void decisions.push({ decision, userId: user.id }),
      onTokenRequest: ({ grantType, outcome }) => void usage.push({ grantType, outcome }),
    };
  }

  async function authorizeDevice(
    ctx: ProtocolContext,
    form: Record<string, string>,
    authorization: string | null = null,
  ): Promise<DeviceAuthorizationResponse> {
    return (await handleDeviceAuthorization(ctx, parseParams(new URLSearchParams(form)), authorization, { ip }))
      .response;
  }

  async function failure(run: () => Promise<unknown>): Promise<string> {
    try {
      await run();
    } catch (error) {
      if (error instanceof OAuthError) return `${error.code}: ${error.description}`;
      throw error;
    }
    return "no error";
  }

  const poll = (ctx: ProtocolContext, deviceCode: string, clientId = tv.clientId) =>
    handleTokenRequest(
      ctx,
      parseParams(new URLSearchParams({ grant_type: deviceGrant, device_code: deviceCode, client_id: clientId })),
      null,
      { ip },
    );

  /** The user enters the code and is shown the request (the /device pages' first two steps). */
  async function enter(ctx: ProtocolContext, userCode: string, user: SignedInUser): Promise<DeviceRequest> {
    const entry = await enterUserCode(ctx, userCode, user, ip);
    if (!entry.ok) throw new Error(`code refused: ${JSON.stringify(entry)}`);
    const found = await findDeviceRequest(ctx, entry.requestId, user);
    if (!found.ok) throw new Error(`request not found: ${found.problem}`);
    return found.request;
  }

  const later = (seconds: number) => {
    now = new Date(now.getTime() + seconds * second);
  };

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
    users = [];
    for (const email of ["dev0@example.com", "dev1@example.com", "dev2@example.com"]) {
      const created = await createUser(db, { email, password: "long-password-1" }, systemActor);
      if (!created.ok) throw new Error(JSON.stringify(created.errors));
      users.push({ id: created.user.id, authTime: new Date("2040-01-01T00:00:00.000Z") });
    }
    const make = async (input: Record<string, unknown>) => {
      const app = await createApplication(db, input, systemActor);
      if (!app.ok) throw new Error(JSON.stringify(app.errors));
      return { id: app.application.id, clientId: app.application.clientId, clientSecret: app.clientSecret! };
    };
    tv = await make({
      name: "Living-room TV",
      clientType: "public",
      grantTypes: [deviceGrant, "refresh_token"],
      allowedScopes: ["openid", "email", "read"],
      algorithm: "RS256",
    });
    trusted = await make({
      name: "Trusted CLI",
      clientType: "public",
      grantTypes: [deviceGrant],
      skipAuthorization: true,
    });
    service = await make({
      name: "Confidential box",
      clientType: "confidential",
      grantTypes: [deviceGrant],
    });
    codeOnly = await make({
      name: "Web only",
      clientType: "public",
      grantTypes: ["authorization_code"],
      redirectUris: ["http://127.0.0.1/cb"],
    });
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("answers a device authorization request as RFC 8628 §3.2 says, storing only hashes", async () => {
    now = new Date("2040-01-01T00:00:00.000Z");
    const ctx = context();
    const answer = await authorizeDevice(ctx, { client_id: tv.clientId, scope: "openid email" });
    expect(answer).toEqual({
      device_code: expect.stringMatching(/^pcd_[0-9a-z]{8}[A-Za-z0-9_-]{43}$/),
      user_code: expect.stringMatching(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/),
      verification_uri: "http://localhost:3000/device",
      verification_uri_complete: `http://localhost:3000/device?user_code=${answer.user_code}`,
      expires_in: 600,
      interval: 5,
    });
    const row = await db.deviceCode.findUniqueOrThrow({
      where: { deviceCodeHash: hashCredential(answer.device_code) },
    });
    expect(row).toMatchObject({
      applicationId: tv.id,
      scope: "email openid",
      status: "pending",
      interval: 5,
      expiresAt: new Date(now.getTime() + 600 * second),
    });
    expect(row.userCodeHash).toBe(hashUserCode(normaliseUserCode(answer.user_code)!));
    expect(JSON.stringify(row)).not.toContain(answer.device_code);
    expect(JSON.stringify(row)).not.toContain(answer.user_code.replace("-", ""));

    // A confidential client authenticates as at the token endpoint.
    const basic = `Basic ${Buffer.from(`${service.clientId}:${service.clientSecret}`).toString("base64")}`;
    expect((await authorizeDevice(ctx, {}, basic)).interval).toBe(5);
    expect(await failure(() => authorizeDevice(ctx, { client_id: service.clientId }))).toBe(
      "invalid_client: This client must authenticate with its secret",
    );
    expect(await failure(() => authorizeDevice(ctx, { client_id: codeOnly.clientId }))).toBe(
      "unauthorized_client: This client is not allowed the device code grant",
    );
    expect(await failure(() => authorizeDevice(ctx, { client_id: tv.clientId, scope: "write" }))).toBe(
      "invalid_scope: This client may not request: write",
    );
    expect(await failure(() => authorizeDevice(ctx, { client_id: "nobody" }))).toBe(
      "invalid_client: Client authentication failed",
    );
    expect(authorizationServerMetadata(ctx.config, await ctx.scopes.read())).toMatchObject({
      device_authorization_endpoint: "http://localhost:3000/oauth/device_authorization",
      grant_types_supported: expect.arrayContaining([deviceGrant]),
    });
  });

  it("pending, slow_down (+5 s each time), approval through the consent screen, tokens once, then invalid_grant", async () => {
    now = new Date("2040-01-02T00:00:00.000Z");
    decisions = [];
    usage = [];
    const ctx = context();
    const device = await authorizeDevice(ctx, { client_id: tv.clientId, scope: "openid email" });
    expect(await failure(() => poll(ctx, device.device_code))).toBe(
      "authorization_pending: The user has not yet approved this device",
    );
    later(4);
    expect(await failure(() => poll(ctx, device.device_code))).toBe(
      "slow_down: Polling too fast: wait at least 10 seconds between requests",
    );
    later(9);
    expect(await failure(() => poll(ctx, device.device_code))).toBe(
      "slow_down: Polling too fast: wait at least 15 seconds between requests",
    );
    later(15);
    expect(await failure(() => poll(ctx, device.device_code))).toMatch(/^authorization_pending/);

    // Typed in lower case, with spaces instead of the dash.
    const typed = device.user_code.toLowerCase().replace("-", " ");
    const request = await enter(ctx, typed, users[0]!);
    expect(request.client.clientId).toBe(tv.clientId);
    expect(request.scopes).toEqual(["email", "openid"]);
    // Another user cannot answer the request by its id.
    expect(await findDeviceRequest(ctx, request.id, users[1]!)).toEqual({ ok: false, problem: "unknown" });
    expect(await decideDevice(ctx, request, users[0]!, ip)).toEqual({ kind: "consent", granted: [] });
    expect(await answerDevice(ctx, request, users[0]!, "allow", { consented: true, ip })).toBe("approved");
    expect(decisions).toEqual([{ decision: "approved", userId: users[0]!.id }]);

    later(15);
    const tokens = (await poll(ctx, device.device_code)).response;
    expect(tokens).toMatchObject({ token_type: "Bearer", scope: "email openid" });
    expect(tokens.refresh_token).toMatch(/^pcr_/);
    const claims = decodeJwt(tokens.id_token!);
    expect(claims).toMatchObject({ sub: users[0]!.id, aud: tv.clientId, email: "dev0@example.com" });
    const access = await db.accessToken.findUniqueOrThrow({
      where: { tokenHash: hashCredential(tokens.access_token) },
    });
    expect(access.grantType).toBe(deviceGrant);

    later(15);
    expect(await failure(() => poll(ctx, device.device_code))).toBe(
      "invalid_grant: The device code has already been used",
    );
    // The code cannot be entered or answered again.
    expect(await enterUserCode(ctx, device.user_code, users[0]!, ip)).toEqual({ ok: false, problem: "used" });
    expect(await answerDevice(ctx, request, users[0]!, "deny", { consented: false, ip })).toBe("used");
    // Another client presenting the device code learns nothing.
    expect(await failure(() => poll(ctx, device.device_code, trusted.clientId))).toBe(
      "invalid_grant: The device code is invalid",
    );
    // Usage statistics: waiting polls (pending, slow_down) are neither issued nor failed.
    expect(usage).toEqual([
      { grantType: deviceGrant, outcome: "issued" },
      { grantType: deviceGrant, outcome: "failed" },
      { grantType: deviceGrant, outcome: "failed" },
    ]);
  });

  it("deny: access_denied, audited; expiry: expired_token, and the code says it expired", async () => {
    now = new Date("2040-01-03T00:00:00.000Z");
    decisions = [];
    const ctx = context();
    const denied = await authorizeDevice(ctx, { client_id: tv.clientId, scope: "read" });
    const request = await enter(ctx, denied.user_code, users[1]!);
    expect(await answerDevice(ctx, request, users[1]!, "deny", { consented: true, ip })).toBe("denied");
    expect(decisions).toEqual([{ decision: "denied", userId: users[1]!.id }]);
    expect(await failure(() => poll(ctx, denied.device_code))).toBe("access_denied: The user denied the request");

    const expiring = await authorizeDevice(ctx, { client_id: tv.clientId });
    later(600);
    expect(await failure(() => poll(ctx, expiring.device_code))).toBe("expired_token: The device code has expired");
    expect(await enterUserCode(ctx, expiring.user_code, users[1]!, ip)).toEqual({ ok: false, problem: "expired" });

    // Entered in time, answered too late.
    const slow = await authorizeDevice(ctx, { client_id: tv.clientId });
    const slowRequest = await enter(ctx, slow.user_code, users[1]!);
    later(600);
    expect(await answerDevice(ctx, slowRequest, users[1]!, "allow", { consented: true, ip })).toBe("expired");
  });

  it("concurrent polls after approval: exactly one gets tokens; the store redeems a device code once", async () => {
    now = new Date("2040-01-04T00:00:00.000Z");
    const ctx = context();
    const device = await authorizeDevice(ctx, { client_id: tv.clientId, scope: "read" });
    const request = await enter(ctx, device.user_code, users[0]!);
    await answerDevice(ctx, request, users[0]!, "allow", { consented: true, ip });
    later(10);
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => poll(ctx, device.device_code)));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    expect(await db.accessToken.count({ where: { applicationId: tv.id, scope: "read" } })).toBe(1);

    // The store's own promise, without the poll interval in front of it.
    const another = await authorizeDevice(ctx, { client_id: tv.clientId, scope: "email" });
    await answerDevice(ctx, await enter(ctx, another.user_code, users[0]!), users[0]!, "allow", {
      consented: true,
      ip,
    });
    const code = await ctx.store.findDeviceCode({ deviceCodeHash: hashCredential(another.device_code) });
    const client = (await ctx.store.findClient(tv.clientId))!;
    const user = (await ctx.store.findUser(users[0]!.id))!;
    const redeemed = await Promise.all(
      Array.from({ length: 6 }, () =>
        ctx.store.redeemDeviceCode(
          code!.id,
          now,
          mintTokens(ctx, { client, user, grantType: deviceGrant, scopes: ["email"], withRefreshToken: false }).tokens,
        ),
      ),
    );
    expect(redeemed.filter(Boolean)).toHaveLength(1);
    expect(await db.accessToken.count({ where: { applicationId: tv.id, scope: "email" } })).toBe(1);
  });

  it("remembered consent and trusted apps skip the screen, as for the code flow; approval_prompt force asks", async () => {
    now = new Date("2040-01-05T00:00:00.000Z");
    const ctx = context();
    // users[0] allowed "email openid" and "read" and "email" above: remembered.
    const again = await authorizeDevice(ctx, { client_id: tv.clientId, scope: "openid" });
    const request = await enter(ctx, again.user_code, users[0]!);
    expect(await decideDevice(ctx, request, users[0]!, ip)).toEqual({ kind: "answered", outcome: "approved" });
    later(10);
    expect((await poll(ctx, again.device_code)).response.id_token).toBeDefined();

    // A scope not consented to yet shows the screen.
    const wider = await authorizeDevice(ctx, { client_id: tv.clientId, scope: "openid" });
    const grantedBefore = async (user: number) =>
      (await db.consent.findFirst({ where: { userId: users[user]!.id, applicationId: tv.id } }))?.scope.split(" ") ??
      [];
    expect(await decideDevice(ctx, await enter(ctx, wider.user_code, users[2]!), users[2]!, ip)).toEqual({
      kind: "consent",
      granted: await grantedBefore(2),
    });
    expect(await grantedBefore(2)).not.toContain("openid");

    const forced = context({ approvalPrompt: "force" });
    const asked = await authorizeDevice(forced, { client_id: tv.clientId, scope: "openid" });
    // Asked again, though openid was granted before: the screen marks nothing new.
    expect(await decideDevice(forced, await enter(forced, asked.user_code, users[0]!), users[0]!, ip)).toEqual({
      kind: "consent",
      granted: await grantedBefore(0),
    });
    expect(await grantedBefore(0)).toContain("openid");

    const cli = await authorizeDevice(ctx, { client_id: trusted.clientId });
    expect(await decideDevice(ctx, await enter(ctx, cli.user_code, users[2]!), users[2]!, ip)).toEqual({
      kind: "answered",
      outcome: "approved",
    });
    later(10);
    const tokens = (await poll(ctx, cli.device_code, trusted.clientId)).response;
    // The trusted app's registration has no refresh_token grant.
    expect(tokens.refresh_token).toBeUndefined();
    expect(await db.consent.count({ where: { applicationId: trusted.id } })).toBe(0);
  });

  it("the deployer's policy: allowsGrantType, mayAuthorize (at the screen and again at the poll), skipAuthorization", async () => {
    now = new Date("2040-01-06T00:00:00.000Z");
    let refuseDev2 = true;
    const policy: Policy = {
      allowsGrantType: ({ client, grantType }) => grantType === deviceGrant && client.clientId !== trusted.clientId,
      mayAuthorize: ({ user }) => (refuseDev2 && user.email === "dev2@example.com" ? "Not on weekends" : true),
      skipAuthorization: ({ user }) => user.email === "dev1@example.com",
    };
    const ctx = context({ policy });
    expect(await failure(() => authorizeDevice(ctx, { client_id: trusted.clientId }))).toMatch(/^unauthorized_client/);
    // The registration says no device grant; the policy says yes.
    expect((await authorizeDevice(ctx, { client_id: codeOnly.clientId })).interval).toBe(5);

    const refused = await authorizeDevice(ctx, { client_id: tv.clientId });
    const outcome = await decideDevice(ctx, await enter(ctx, refused.user_code, users[2]!), users[2]!, ip);
    expect(outcome).toMatchObject({
      kind: "refused",
      error: { code: "access_denied", description: "Not on weekends" },
    });
    expect(await failure(() => poll(ctx, refused.device_code))).toBe("access_denied: The user denied the request");

    const skipped = await authorizeDevice(ctx, { client_id: tv.clientId, scope: "read" });
    expect(await decideDevice(ctx, await enter(ctx, skipped.user_code, users[1]!), users[1]!, ip)).toEqual({
      kind: "answered",
      outcome: "approved",
    });

    // Approved while allowed; refused by the time the device polls.
    refuseDev2 = false;
    const changed = await authorizeDevice(ctx, { client_id: tv.clientId, scope: "read" });
    const request = await enter(ctx, changed.user_code, users[2]!);
    expect(await answerDevice(ctx, request, users[2]!, "allow", { consented: true, ip })).toBe("approved");
    refuseDev2 = true;
    later(10);
    expect(await failure(() => poll(ctx, changed.device_code))).toBe("access_denied: Not on weekends");
  });

  it("wrong codes are limited per user and per address; malformed entries are not counted", async () => {
    now = new Date("2040-01-07T00:00:00.000Z");
    const ctx = context({ limits: { userLimit: 3, addressLimit: 5, window: 900 } });
    const live = await authorizeDevice(ctx, { client_id: tv.clientId });
    const [a, b] = [users[0]!, users[1]!];
    expect(await enterUserCode(ctx, "hello", a, ip)).toEqual({ ok: false, problem: "malformed" });
    expect(await enterUserCode(ctx, "AEIO-UBCD", a, ip)).toEqual({ ok: false, problem: "malformed" });
    for (let i = 0; i < 3; i++) {
      expect(await enterUserCode(ctx, `BBBB-BBB${"BCD"[i]}`, a, "198.51.100.1")).toEqual({
        ok: false,
        problem: "unknown",
      });
      later(1);
    }
    // User a is blocked everywhere, even with the right code; the wait is until the first failure leaves the window.
    expect(await enterUserCode(ctx, live.user_code, a, "198.51.100.2")).toEqual({
      ok: false,
      problem: "throttled",
      retryAfterSeconds: 897,
    });
    // Another user, from another address, is not.
    expect((await enterUserCode(ctx, live.user_code, b, "198.51.100.2")).ok).toBe(true);

    // The address limit counts every user's wrong codes from it.
    for (let i = 0; i < 5; i++) {
      expect((await enterUserCode(ctx, "CCCC-CCCC", users[i % 2 === 0 ? 1 : 2]!, "203.0.113.9")).ok).toBe(false);
    }
    expect(await enterUserCode(ctx, live.user_code, users[2]!, "203.0.113.9")).toMatchObject({ problem: "throttled" });
    expect((await enterUserCode(ctx, live.user_code, users[2]!, "203.0.113.10")).ok).toBe(true);

    // Past the window, user a may try again.
    later(900);
    const fresh = await authorizeDevice(ctx, { client_id: tv.clientId });
    expect((await enterUserCode(ctx, fresh.user_code, a, "198.51.100.1")).ok).toBe(true);
  });
});
