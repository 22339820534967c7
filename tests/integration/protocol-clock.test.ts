/**
 * The protocol core (lib/oauth) on real, migrated SQLite and PostgreSQL databases, with the clock
 * injected: what depends on time passing and on a server setting the e2e servers do not use
 * (PORTCULLIS_REFRESH_GRACE_PERIOD). The authorization request, consent and token requests go
 * through the same functions the authorize page and the token endpoint call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/applications/commands";
import { systemActor } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { approve, decide, validateAuthorizationRequest, type SignedInUser } from "@/lib/oauth/authorize";
import type { ProtocolContext } from "@/lib/oauth/context";
import { OAuthError } from "@/lib/oauth/errors";
import { parseParams } from "@/lib/oauth/params";
import { s256 } from "@/lib/oauth/pkce";
import { handleTokenRequest } from "@/lib/oauth/token";
import { createUser } from "@/lib/users/commands";
import { testProtocol, type Lifetimes } from "../support/protocol.ts";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

const second = 1000;
const day = 86_400 * second;
const redirectUri = "http://127.0.0.1/callback";
const verifier = "v".repeat(43);

describe.each(providers)("the protocol core over time on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  /** The clock every context here reads; tests move it. */
  let now: Date;
  let user: SignedInUser;
  let client: { id: string; clientId: string; clientSecret: string };

  function context(lifetimes: Partial<Lifetimes> = {}): ProtocolContext {
    return testProtocol(db, {
      now: () => now,
      lifetimes: { refreshToken: 30 * 86_400, consent: 90 * 86_400, ...lifetimes },
    });
  }

  function authorizeQuery(scope: string): URLSearchParams {
    return new URLSearchParams({
      response_type: "code",
      client_id: client.clientId,
      redirect_uri: redirectUri,
      scope,
      state: "s",
      code_challenge: s256(verifier),
      code_challenge_method: "S256",
    });
  }

  async function validRequest(ctx: ProtocolContext, scope: string) {
    const validation = await validateAuthorizationRequest(ctx, authorizeQuery(scope));
    if (!validation.ok) throw new Error(`authorization request refused: ${JSON.stringify(validation)}`);
    return validation.request;
  }

  async function token(ctx: ProtocolContext, form: Record<string, string>) {
    const params = parseParams(
      new URLSearchParams({ ...form, client_id: client.clientId, client_secret: client.clientSecret }),
    );
    return (await handleTokenRequest(ctx, params, null)).response;
  }

  async function tokenError(ctx: ProtocolContext, form: Record<string, string>): Promise<string> {
    try {
      await token(ctx, form);
    } catch (error) {
      if (error instanceof OAuthError) return `${error.code}: ${error.description}`;
      throw error;
    }
    return "no error";
  }

  /** Allow on the consent screen, then the code's exchange: the first tokens of a grant. */
  async function grant(ctx: ProtocolContext) {
    const request = await validRequest(ctx, "openid email");
    const code = new URL(await approve(ctx, request, user, { consented: true })).searchParams.get("code")!;
    return token(ctx, { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier });
  }

  const refreshWith = (ctx: ProtocolContext, refreshToken: string) =>
    token(ctx, { grant_type: "refresh_token", refresh_token: refreshToken });

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
    const created = await createUser(db, { email: "tess@example.com", password: "long-password-1" }, systemActor);
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    user = { id: created.user.id, authTime: new Date("2040-01-01T00:00:00.000Z") };
    const app = await createApplication(
      db,
      {
        name: "Clockwork",
        clientType: "confidential",
        grantTypes: ["authorization_code", "refresh_token"],
        redirectUris: [redirectUri],
        algorithm: "RS256",
      },
      systemActor,
    );
    if (!app.ok) throw new Error(JSON.stringify(app.errors));
    client = { id: app.application.id, clientId: app.application.clientId, clientSecret: app.clientSecret! };
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("refresh grace period: a rotated token refreshes again within it; after it, its reuse revokes the whole family", async () => {
    const ctx = context({ refreshGracePeriod: 30 });
    now = new Date("2040-01-01T00:00:00.000Z");
    const first = await grant(ctx);
    now = new Date(now.getTime() + second);
    const rotatedAt = now;
    const second1 = await refreshWith(ctx, first.refresh_token!);

    // The client lost that answer and retries with the same token 29 s later: a new pair, no alarm.
    now = new Date(rotatedAt.getTime() + 29 * second);
    const retried = await refreshWith(ctx, first.refresh_token!);
    expect(retried.refresh_token).not.toBe(second1.refresh_token);
    // The grace period runs from the first rotation, not the latest use.
    now = new Date(rotatedAt.getTime() + 30 * second);
    const edge = await refreshWith(ctx, first.refresh_token!);

    now = new Date(rotatedAt.getTime() + 31 * second);
    expect(await tokenError(ctx, { grant_type: "refresh_token", refresh_token: first.refresh_token! })).toMatch(
      /^invalid_grant: The refresh token has already been used/,
    );
    for (const descendant of [second1, retried, edge]) {
      expect(await tokenError(ctx, { grant_type: "refresh_token", refresh_token: descendant.refresh_token! })).toBe(
        "invalid_grant: The refresh token has been revoked",
      );
    }

    // Without a grace period (the default) the first reuse is already theft.
    const strict = context();
    const other = await grant(strict);
    await refreshWith(strict, other.refresh_token!);
    expect(await tokenError(strict, { grant_type: "refresh_token", refresh_token: other.refresh_token! })).toMatch(
      /^invalid_grant: The refresh token has already been used/,
    );
  });

  it("a refresh token past its lifetime: invalid_grant", async () => {
    const ctx = context({ refreshToken: 3600 });
    now = new Date("2040-02-01T00:00:00.000Z");
    const issued = await grant(ctx);
    now = new Date(now.getTime() + 3600 * second - 1);
    const renewed = await refreshWith(ctx, issued.refresh_token!);
    // Each rotation renews the lifetime from its own time.
    now = new Date(now.getTime() + 3600 * second);
    expect(await tokenError(ctx, { grant_type: "refresh_token", refresh_token: renewed.refresh_token! })).toBe(
      "invalid_grant: The refresh token has expired",
    );
  });

  it("remembered consent answers until it expires; then the consent screen shows again, and the new consent replaces the old", async () => {
    const ctx = context({ consent: 10 * 86_400 });
    const allowedAt = new Date("2040-03-01T00:00:00.000Z");
    now = allowedAt;
    await approve(ctx, await validRequest(ctx, "openid email"), user, { consented: true });
    const stored = await db.consent.findUniqueOrThrow({
      where: { userId_applicationId: { userId: user.id, applicationId: client.id } },
    });
    expect(stored.lastUsedAt).toEqual(allowedAt);
    expect(stored.expiresAt).toEqual(new Date(allowedAt.getTime() + 10 * day));

    now = new Date(allowedAt.getTime() + 10 * day - second);
    expect(await decide(ctx, await validRequest(ctx, "openid email"), user)).toEqual({ kind: "approve" });
    now = new Date(allowedAt.getTime() + 10 * day);
    // Expired, so asked again; what it granted is still what was granted before (nothing marked new).
    expect(await decide(ctx, await validRequest(ctx, "openid email"), user)).toEqual({
      kind: "consent",
      granted: ["email", "openid"],
    });

    // Allowing again, for fewer scopes: the expired consent's scopes are not carried over. (The
    // clock here is years ahead of the real one, by which that consent has not expired.)
    const renewedAt = new Date(allowedAt.getTime() + 11 * day);
    now = renewedAt;
    await approve(ctx, await validRequest(ctx, "openid"), user, { consented: true });
    const renewed = await db.consent.findUniqueOrThrow({
      where: { userId_applicationId: { userId: user.id, applicationId: client.id } },
    });
    expect(renewed).toMatchObject({
      scope: "openid",
      lastUsedAt: renewedAt,
      expiresAt: new Date(renewedAt.getTime() + 10 * day),
    });
    expect(await decide(ctx, await validRequest(ctx, "openid email"), user)).toEqual({
      kind: "consent",
      granted: ["openid"],
    });
    expect(await decide(ctx, await validRequest(ctx, "openid"), user)).toEqual({ kind: "approve" });
  });
});
