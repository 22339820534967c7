/**
 * Demo data, so a fresh install's dashboard has something to show: a few applications (varied
 * grant types, one trusted, one public), a few non-admin users with printed passwords, consents,
 * live tokens, and a month of usage counts with a weekday/weekend shape and some failures.
 *
 * Applications and users go through the same commands as the dashboard and the CLI (validated,
 * audited as "cli"). Tokens and consents are written directly, as the token endpoint would store
 * them (only hashes; the token values are thrown away). Running it twice does not duplicate
 * anything: when the first demo user exists, it reports that and changes nothing.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createApplication } from "../applications/commands.ts";
import type { Actor } from "../audit/record.ts";
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

export interface SeededApplication {
  id: string;
  name: string;
  clientId: string;
  clientType: "confidential" | "public";
  grantTypes: string[];
  trusted: boolean;
  /** Printed once, as when an admin creates an application. */
  clientSecret: string | null;
}

export interface SeededUser {
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

  // Who has approved which application (the trusted intranet needs no consent).
  const consentPairs: [SeededUser, DemoAppKey, string][] = [
    [alice, "portal", "email offline_access openid profile"],
    [bob, "portal", "email openid profile"],
    [alice, "mobile", "offline_access openid profile"],
    [carol, "mobile", "openid profile"],
  ];
  const consentExpiry = new Date(now.getTime() + lifetimes.consent * 1000);
  for (const [user, key, scope] of consentPairs) {
    await db.consent.create({
      data: { userId: user.id, applicationId: app(key).id, scope, expiresAt: consentExpiry, lastUsedAt: now },
    });
  }

  // Live tokens, as the token endpoint stores them: hashes only, the values are not kept.
  const accessExpiry = new Date(now.getTime() + lifetimes.accessToken * 1000);
  const refreshExpiry = new Date(now.getTime() + lifetimes.refreshToken * 1000);
  let accessTokens = 0;
  let refreshTokens = 0;
  const userGrants: [SeededUser, DemoAppKey, string][] = [
    [alice, "portal", "email offline_access openid profile"],
    [bob, "portal", "email openid profile"],
    [alice, "mobile", "offline_access openid profile"],
    [carol, "intranet", "email openid profile"],
  ];
  for (const [user, key, scope] of userGrants) {
    const familyId = randomUUID();
    const authTime = new Date(now.getTime() - 5 * 60 * 1000);
    await db.$transaction(async (tx) => {
      await tx.accessToken.create({
        data: {
          tokenHash: hashCredential(generateCredential("accessToken")),
          applicationId: app(key).id,
          userId: user.id,
          scope,
          grantType: "authorization_code",
          familyId,
          authTime,
          expiresAt: accessExpiry,
        },
      });
      await tx.refreshToken.create({
        data: {
          tokenHash: hashCredential(generateCredential("refreshToken")),
          applicationId: app(key).id,
          userId: user.id,
          scope,
          familyId,
          authTime,
          expiresAt: refreshExpiry,
        },
      });
    });
    accessTokens++;
    refreshTokens++;
  }
  for (let i = 0; i < 3; i++) {
    await db.accessToken.create({
      data: {
        tokenHash: hashCredential(generateCredential("accessToken")),
        applicationId: app("reports").id,
        userId: null,
        scope: "read",
        grantType: "client_credentials",
        expiresAt: accessExpiry,
      },
    });
    accessTokens++;
  }

  // A month of usage: weekdays busy, weekends quiet, slow growth, some noise, a few failures.
  const counts = new Map<
    string,
    { day: string; applicationId: string; grantType: string; outcome: string; count: number }
  >();
  const add = (day: string, applicationId: string, grantType: string, outcome: "issued" | "failed", count: number) => {
    if (count <= 0) return;
    const key = [day, applicationId, grantType, outcome].join("\u0000");
    const row = counts.get(key) ?? { day, applicationId, grantType, outcome, count: 0 };
    row.count += count;
    counts.set(key, row);
  };
  const days = 30;
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
    );
    // One bad afternoon ten days ago: a client shipped with an old secret.
    if (back === 10) add(day, app("reports").id, "client_credentials", "failed", 85);
  }
  const rows = [...counts.values()];
  // Increments, so seeding on a server that already counted real requests keeps those counts.
  for (let i = 0; i < rows.length; i += 100) {
    await db.$transaction(
      rows.slice(i, i + 100).map((row) =>
        db.usageCounter.upsert({
          where: {
            day_applicationId_grantType_outcome: {
              day: row.day,
              applicationId: row.applicationId,
              grantType: row.grantType,
              outcome: row.outcome,
            },
          },
          create: row,
          update: { count: { increment: row.count } },
        }),
      ),
    );
  }

  return {
    seeded: true,
    applications: [...applications.values()],
    users,
    consents: consentPairs.length,
    accessTokens,
    refreshTokens,
    usage: {
      days,
      issued: rows.filter((row) => row.outcome === "issued").reduce((sum, row) => sum + row.count, 0),
      failed: rows.filter((row) => row.outcome === "failed").reduce((sum, row) => sum + row.count, 0),
    },
  };
}
