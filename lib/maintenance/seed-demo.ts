/**
 * Demo data, so a fresh install's dashboard has something to show: a few applications (varied
 * grant types, one trusted, one public), a few non-admin users with printed passwords, and a month
 * of use: usage counts with a weekday/weekend shape and some failures, and over the same month the
 * users' sign-ins (in the audit log), their approvals and the token families their apps refreshed
 * since, so Connected apps, the Tokens tab and the audit log read like that month.
 *
 * Applications and users go through the same commands as the dashboard and the CLI (validated,
 * audited as "cli", now), then are dated to the month's start. Tokens and consents are written
 * directly, as the token endpoint would store them (only hashes; the token values are thrown away).
 * Running it twice does not duplicate anything: when the first demo user exists, it reports that
 * and changes nothing.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createApplication } from "../applications/commands.ts";
import { auditData, type Actor, type AuditInput } from "../audit/record.ts";
import { settings, type Settings } from "../config/settings.ts";
import type { Db } from "../db/client.ts";
import { generateCredential, hashCredential } from "../oauth/secrets.ts";
import { createUser } from "../users/commands.ts";

export interface SeedDemoOptions {
  now?: Date;
  lifetimes?: Settings["lifetimes"];
  /** Seeds the usage history's noise, so a run can be repeated exactly. */
  randomSeed?: number;
}

interface SeededApplication {
  id: string;
  name: string;
  clientId: string;
  clientType: "confidential" | "public";
  grantTypes: string[];
  trusted: boolean;
  /** Printed once, as when an admin creates an application. */
  clientSecret: string | null;
}

interface SeededUser {
  id: string;
  email: string;
  name: string;
  password: string;
}

export type SeedDemoResult =
  | { seeded: false; reason: string }
  | {
      seeded: true;
      applications: SeededApplication[];
      users: SeededUser[];
      consents: number;
      accessTokens: number;
      refreshTokens: number;
      usage: { days: number; issued: number; failed: number };
    };

/** The first demo user: its presence means the demo data is already there. */
export const demoMarkerEmail = "alice.demo@example.com";

const demoUsers = [
  { email: demoMarkerEmail, name: "Alice Demo" },
  { email: "bob.demo@example.com", name: "Bob Demo" },
  { email: "carol.demo@example.com", name: "Carol Demo" },
] as const;

type DemoAppKey = "portal" | "mobile" | "reports" | "intranet";

/** Each application with its typical daily token volume per grant type on a weekday. */
const demoApplications: {
  key: DemoAppKey;
  input: Record<string, unknown>;
  daily: Record<string, number>;
  failureRate: number;
}[] = [
  {
    key: "portal",
    input: {
      name: "Demo: Customer portal",
      clientType: "confidential",
      grantTypes: ["authorization_code", "refresh_token"],
      redirectUris: ["https://portal.demo.example.com/callback"],
      postLogoutRedirectUris: ["https://portal.demo.example.com/"],
      allowedScopes: ["openid", "profile", "email", "offline_access"],
      algorithm: "RS256",
      homepageUri: "https://portal.demo.example.com",
    },
    daily: { authorization_code: 140, refresh_token: 260 },
    failureRate: 0.03,
  },
  {
    key: "mobile",
    input: {
      name: "Demo: Mobile app",
      clientType: "public",
      grantTypes: ["authorization_code", "refresh_token"],
      redirectUris: ["http://127.0.0.1/callback"],
      allowedScopes: ["openid", "profile", "offline_access"],
      algorithm: "RS256",
    },
    daily: { authorization_code: 60, refresh_token: 180 },
    failureRate: 0.05,
  },
  {
    key: "reports",
    input: {
      name: "Demo: Reporting service",
      clientType: "confidential",
      grantTypes: ["client_credentials"],
      allowedScopes: ["read"],
    },
    daily: { client_credentials: 220 },
    failureRate: 0.01,
  },
  {
    key: "intranet",
    input: {
      name: "Demo: Staff intranet",
      clientType: "confidential",
      grantTypes: ["authorization_code", "refresh_token"],
      redirectUris: ["https://intranet.demo.example.com/oauth/callback"],
      allowedScopes: ["openid", "profile", "email"],
      skipAuthorization: true,
      algorithm: "RS256",
    },
    daily: { authorization_code: 45, refresh_token: 70 },
    failureRate: 0.02,
  },
];

/** mulberry32: a small deterministic generator for plausible-looking noise (not for secrets). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dayMs = 24 * 3600 * 1000;
const utcDay = (date: Date) => date.toISOString().slice(0, 10);

/** Demo passwords are random and printed once, like an initial admin password. */
function demoPassword(): string {
  return `demo-${randomBytes(9).toString("base64url")}`;
}

export async function seedDemo(db: Db, actor: Actor, options: SeedDemoOptions = {}): Promise<SeedDemoResult> {
  if (await db.user.findUnique({ where: { email: demoMarkerEmail }, select: { id: true } })) {
    return { seeded: false, reason: `Demo data is already present (${demoMarkerEmail} exists); nothing was changed.` };
  }
  const now = options.now ?? new Date();
  const lifetimes = options.lifetimes ?? settings().lifetimes;
  const random = generator(options.randomSeed ?? 20240501);

  const users: SeededUser[] = [];
  for (const demo of demoUsers) {
    const password = demoPassword();
    const result = await createUser(db, { email: demo.email, name: demo.name, password, admin: false }, actor);
    if (!result.ok) throw new Error(`Could not create demo user ${demo.email}: ${JSON.stringify(result.errors)}`);
    users.push({ id: result.user.id, email: result.user.email, name: result.user.name, password });
  }

  const applications = new Map<DemoAppKey, SeededApplication>();
  for (const demo of demoApplications) {
    const result = await createApplication(db, demo.input, actor);
    if (!result.ok)
      throw new Error(`Could not create demo application ${String(demo.input.name)}: ${JSON.stringify(result.errors)}`);
    const app = result.application;
    applications.set(demo.key, {
      id: app.id,
      name: app.name,
      clientId: app.clientId,
      clientType: app.clientType,
      grantTypes: app.grantTypes,
      trusted: app.skipAuthorization,
      clientSecret: result.clientSecret ?? null,
    });
  }
  const app = (key: DemoAppKey) => applications.get(key)!;
  const [alice, bob, carol] = users as [SeededUser, SeededUser, SeededUser];

  // The month the usage history covers, as it would have gone: accounts and applications from its
  // start; each user signing in on some day to approve an app (the trusted intranet asks for no
  // approval); their apps refreshing tokens since, the latest within the hour or days ago.
  const days = 30;
  const monthStart = new Date(now.getTime() - days * dayMs);
  const onDay = (day: number, hour: number) => new Date(monthStart.getTime() + day * dayMs + hour * 3600_000);
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const minute = 60_000;
  const later = (from: Date, seconds: number) => new Date(from.getTime() + seconds * 1000);

  for (const seeded of applications.values()) {
    await db.application.update({ where: { id: seeded.id }, data: { createdAt: monthStart } });
  }
  const addresses = new Map([
    [alice.id, "203.0.113.24"],
    [bob.id, "198.51.100.61"],
    [carol.id, "192.0.2.133"],
  ]);
  const grants: {
    user: SeededUser;
    key: DemoAppKey;
    scope: string;
    /** When they signed in to approve it (or, trusted, to use it first). */
    signedIn: Date;
    /** The latest token issue, or null when the app has held no token since the approval. */
    lastActive: Date | null;
  }[] = [
    {
      user: alice,
      key: "portal",
      scope: "email offline_access openid profile",
      signedIn: onDay(1, 9),
      lastActive: ago(20 * minute),
    },
    {
      user: bob,
      key: "portal",
      scope: "email openid profile",
      signedIn: onDay(4, 14),
      lastActive: ago(12 * dayMs + 3 * 3600_000),
    },
    {
      user: alice,
      key: "mobile",
      scope: "offline_access openid profile",
      signedIn: onDay(9, 19),
      lastActive: ago(35 * minute),
    },
    { user: carol, key: "mobile", scope: "openid profile", signedIn: onDay(16, 11), lastActive: null },
    {
      user: carol,
      key: "intranet",
      scope: "email openid profile",
      signedIn: onDay(20, 8),
      lastActive: ago(50 * minute),
    },
  ];
  for (const [index, user] of users.entries()) {
    const first = grants.find((grant) => grant.user === user)!.signedIn;
    const last = grants.filter((grant) => grant.user === user).at(-1)!.signedIn;
    await db.user.update({
      where: { id: user.id },
      data: { createdAt: new Date(Math.min(first.getTime(), onDay(index * 2, 8).getTime())), lastSignInAt: last },
    });
  }

  // What the audit log would have recorded of those sign-ins (one mistyped password first).
  const history: { at: Date; actor: Actor; input: AuditInput }[] = [];
  for (const grant of grants) {
    const ip = addresses.get(grant.user.id)!;
    if (grant.user === bob) {
      for (const seconds of [70, 40]) {
        history.push({
          at: new Date(grant.signedIn.getTime() - seconds * 1000),
          actor: { kind: "anonymous", ip },
          input: { action: "auth.sign_in_failed", targetUserId: bob.id, details: { email: bob.email } },
        });
      }
    }
    history.push({
      at: grant.signedIn,
      actor: { kind: "user", id: grant.user.id, email: grant.user.email, ip },
      input: { action: "auth.signed_in", targetUserId: grant.user.id },
    });
  }
  for (const entry of history.sort((a, b) => a.at.getTime() - b.at.getTime())) {
    await db.auditEvent.create({ data: { ...auditData(entry.actor, entry.input), createdAt: entry.at } });
  }

  let consents = 0;
  let accessTokens = 0;
  let refreshTokens = 0;
  for (const grant of grants) {
    const applicationId = app(grant.key).id;
    const approved = later(grant.signedIn, 40);
    if (!app(grant.key).trusted) {
      await db.consent.create({
        data: {
          userId: grant.user.id,
          applicationId,
          scope: grant.scope,
          createdAt: approved,
          updatedAt: approved,
          expiresAt: later(approved, lifetimes.consent),
          lastUsedAt: grant.lastActive ?? later(approved, 3 * 24 * 3600),
        },
      });
      consents++;
    }
    if (!grant.lastActive) continue;
    // One refresh token family: the first issue after the sign-in, rotated a few times since; the
    // rotated ones stay (reuse detection needs them), the newest is the live one.
    const familyId = randomUUID();
    const span = grant.lastActive.getTime() - approved.getTime();
    const issues = [0, 0.3 + 0.2 * random(), 0.7 + 0.2 * random(), 1].map(
      (part) => new Date(approved.getTime() + part * span),
    );
    await db.$transaction(async (tx) => {
      for (const [index, issuedAt] of issues.entries()) {
        const next = issues[index + 1];
        await tx.accessToken.create({
          data: {
            tokenHash: hashCredential(generateCredential("accessToken")),
            applicationId,
            userId: grant.user.id,
            scope: grant.scope,
            grantType: index === 0 ? "authorization_code" : "refresh_token",
            familyId,
            authTime: grant.signedIn,
            expiresAt: later(issuedAt, lifetimes.accessToken),
            lastUsedAt: later(issuedAt, Math.min(600, lifetimes.accessToken / 2)),
            createdAt: issuedAt,
          },
        });
        await tx.refreshToken.create({
          data: {
            tokenHash: hashCredential(generateCredential("refreshToken")),
            applicationId,
            userId: grant.user.id,
            scope: grant.scope,
            familyId,
            authTime: grant.signedIn,
            expiresAt: later(issuedAt, lifetimes.refreshToken),
            rotatedAt: next ?? null,
            lastUsedAt: next ?? null,
            createdAt: issuedAt,
          },
        });
      }
    });
    const newest = issues.at(-1)!;
    if (later(newest, lifetimes.accessToken) > now) accessTokens++;
    if (later(newest, lifetimes.refreshToken) > now) refreshTokens++;
  }
  // The reporting service's own tokens (client credentials), from the last hour.
  for (const minutes of [8, 23, 41]) {
    const issuedAt = ago(minutes * minute);
    await db.accessToken.create({
      data: {
        tokenHash: hashCredential(generateCredential("accessToken")),
        applicationId: app("reports").id,
        userId: null,
        scope: "read",
        grantType: "client_credentials",
        expiresAt: later(issuedAt, lifetimes.accessToken),
        createdAt: issuedAt,
      },
    });
    if (later(issuedAt, lifetimes.accessToken) > now) accessTokens++;
  }

  // A month of usage: weekdays busy, weekends quiet, slow growth, some noise, a few failures.
  const counts = new Map<
    string,
    { day: string; applicationId: string; grantType: string; outcome: string; error: string; count: number }
  >();
  const add = (
    day: string,
    applicationId: string,
    grantType: string,
    outcome: "issued" | "failed",
    count: number,
    error = outcome === "failed" ? "invalid_grant" : "",
  ) => {
    if (count <= 0) return;
    const key = [day, applicationId, grantType, outcome, error].join("\u0000");
    const row = counts.get(key) ?? { day, applicationId, grantType, outcome, error, count: 0 };
    row.count += count;
    counts.set(key, row);
  };
  for (let back = days - 1; back >= 0; back--) {
    const date = new Date(now.getTime() - back * dayMs);
    const day = utcDay(date);
    const weekday = date.getUTCDay();
    const weekly = weekday === 0 || weekday === 6 ? 0.35 : weekday === 1 ? 1.1 : weekday === 5 ? 0.85 : 1;
    const growth = 0.8 + (0.2 * (days - back)) / days;
    // Today is still going: only the part of it that has passed.
    const partOfDay = back === 0 ? Math.max(0.05, (now.getTime() % dayMs) / dayMs) : 1;
    for (const demo of demoApplications) {
      const id = app(demo.key).id;
      for (const [grantType, base] of Object.entries(demo.daily)) {
        const issued = Math.round(base * weekly * growth * partOfDay * (0.85 + 0.3 * random()));
        add(day, id, grantType, "issued", issued);
        add(day, id, grantType, "failed", Math.round(issued * demo.failureRate * (0.5 + random())));
      }
    }
    // Requests that named no known client (scanners, misconfigured clients).
    add(
      day,
      "",
      random() < 0.5 ? "client_credentials" : "authorization_code",
      "failed",
      Math.round(random() * 6 * partOfDay),
      "invalid_client",
    );
    // One bad afternoon ten days ago: a client shipped with an old secret.
    if (back === 10) add(day, app("reports").id, "client_credentials", "failed", 85, "invalid_client");
  }
  const rows = [...counts.values()];
  // Increments, so seeding on a server that already counted real requests keeps those counts.
  // One statement after another in each transaction (see lib/usage/counter.ts).
  for (let i = 0; i < rows.length; i += 100) {
    await db.$transaction(async (tx) => {
      for (const row of rows.slice(i, i + 100)) {
        await tx.usageCounter.upsert({
          where: {
            day_applicationId_grantType_outcome_error: {
              day: row.day,
              applicationId: row.applicationId,
              grantType: row.grantType,
              outcome: row.outcome,
              error: row.error,
            },
          },
          create: row,
          update: { count: { increment: row.count } },
        });
      }
    });
  }

  return {
    seeded: true,
    applications: [...applications.values()],
    users,
    consents,
    accessTokens,
    refreshTokens,
    usage: {
      days,
      issued: rows.filter((row) => row.outcome === "issued").reduce((sum, row) => sum + row.count, 0),
      failed: rows.filter((row) => row.outcome === "failed").reduce((sum, row) => sum + row.count, 0),
    },
  };
}
