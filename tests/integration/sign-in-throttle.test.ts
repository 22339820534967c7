/**
 * The sign-in throttle (lib/auth/throttle.ts) against real SQLite and PostgreSQL databases: keyed
 * by account and address, so an attacker's guesses from one address never lock the user out at
 * theirs; a limit per address over all accounts; exact under concurrency (of N parallel attempts,
 * no more password checks than the limits allow, also from two instances at once); and waits
 * that double with each failure, up to a cap, on an injected clock.
 *
 * The defect tests use only `authenticate` and `signInWithForm`, which existed before the throttle
 * was keyed by address, and failed against it (a victim locked out from everywhere; 14-16 checks
 * of 60 parallel attempts with a limit of 10; no limit on an address trying many accounts).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "@/lib/audit/record";
import { settings } from "@/lib/config/settings";
import { connect, type Db } from "@/lib/db/client";
import { createUser } from "@/lib/users/commands";
import { authenticate, signIn, signInWithForm } from "@/lib/users/sign-in";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

const policy = settings().signInThrottle;

describe.each(providers)("sign-in throttle on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;

  async function person(): Promise<{ id: string; email: string; password: string }> {
    const email = `victim-${randomBytes(4).toString("hex")}@example.com`;
    const password = `pw-${randomBytes(8).toString("hex")}`;
    const result = await createUser(db, { email, password, name: "Victim" }, systemActor);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return { id: result.user.id, email, password };
  }

  /** Password checks made for an email: every one that got past the throttle left a failed-sign-in entry. */
  const checksOn = async (emails: string[]) => {
    const rows = await db.auditEvent.findMany({ where: { action: "auth.sign_in_failed" }, select: { details: true } });
    return rows.filter((row) => emails.includes(JSON.parse(row.details).email)).length;
  };

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
  });
  afterAll(async () => {
    await t?.drop();
  });

  it("an attacker's wrong passwords from address A do not keep the user out at address B", async () => {
    const user = await person();
    const attacker = "198.51.100.66";
    for (let i = 0; i < 12; i++) {
      expect(await authenticate(db, user.email, `guess-${i}`, { ip: attacker })).toBeNull();
    }
    // The attacker's address waits, even with the right password...
    expect(await authenticate(db, user.email, user.password, { ip: attacker })).toBeNull();
    // ...while the user, from their own address, signs in on the form at once.
    expect(await signInWithForm(db, { email: user.email, password: user.password }, "203.0.113.200")).toMatchObject({
      id: user.id,
    });
    // Signing in at B forgets nothing of A's failures: the attacker still waits.
    expect(await authenticate(db, user.email, user.password, { ip: attacker })).toBeNull();
  });

  it("limits one address trying many accounts, and only that address", async () => {
    const sprayer = "198.51.100.77";
    const emails = Array.from({ length: policy.addressLimit }, (_, i) => `sprayed-${i}-${provider}@example.com`);
    for (const email of emails) expect(await authenticate(db, email, "Summer2026!", { ip: sprayer })).toBeNull();
    const user = await person();
    // The next account from that address waits, even with its right password...
    expect(await authenticate(db, user.email, user.password, { ip: sprayer })).toBeNull();
    expect(await checksOn([user.email])).toBe(0);
    // ...and the user from elsewhere is not concerned.
    expect(await authenticate(db, user.email, user.password, { ip: "203.0.113.201" })).toMatchObject({ id: user.id });
  });

  it("of 60 parallel wrong passwords for one account from one address, exactly the free ones are checked", async () => {
    const user = await person();
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => authenticate(db, user.email, `parallel-${i}`, { ip: "192.0.2.150" })),
    );
    expect(results).toEqual(Array(60).fill(null));
    expect(await checksOn([user.email])).toBe(policy.freeFailures);
    expect(await db.signInFailure.count({ where: { email: user.email } })).toBe(policy.freeFailures);
  });

  it("of 60 parallel attempts on 60 accounts from one address, exactly the address's limit is checked", async () => {
    const emails = Array.from({ length: 60 }, (_, i) => `burst-${i}-${provider}@example.com`);
    await Promise.all(emails.map((email) => authenticate(db, email, "Winter2026!", { ip: "192.0.2.151" })));
    expect(await checksOn(emails)).toBe(policy.addressLimit);
  });

  it.runIf(provider === "postgresql")("stays exact when two instances take the attempts at once", async () => {
    const user = await person();
    const other = connect(t.target);
    try {
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          authenticate(i % 2 ? other : db, user.email, `two-${i}`, { ip: "192.0.2.152" }),
        ),
      );
      expect(results).toEqual(Array(60).fill(null));
    } finally {
      await other.$disconnect();
    }
    expect(await checksOn([user.email])).toBe(policy.freeFailures);
  });

  it("makes the address wait longer after each further failure, up to the cap, and forgets it all on success", async () => {
    const user = await person();
    const ip = "192.0.2.160";
    let now = new Date(Date.now() + 3_600_000);
    const after = (seconds: number) => (now = new Date(now.getTime() + seconds * 1000));
    for (let i = 0; i < policy.freeFailures - 1; i++) {
      expect(await signIn(db, user.email, `slow-${i}`, { ip }, after(1))).toEqual({ user: null });
    }
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      expect(await signIn(db, user.email, `slower-${i}`, { ip }, now)).toEqual({ user: null });
      const refused = await signIn(db, user.email, user.password, { ip }, after(0.5));
      expect(refused.user).toBeNull();
      waits.push(refused.retryAfterSeconds!);
      // Still refused a second before the wait ends, then allowed.
      expect(
        (await signIn(db, user.email, user.password, { ip }, after(refused.retryAfterSeconds! - 1.5))).user,
      ).toBeNull();
      after(1.5);
    }
    const doubling = waits.map((_, i) => Math.min(policy.firstDelay * 2 ** i, policy.maxDelay));
    expect(waits).toEqual(doubling);
    expect(waits.at(-1)).toBe(policy.maxDelay);
    // The wait is over: the right password signs in, and the address's failures are forgotten.
    expect((await signIn(db, user.email, user.password, { ip }, now)).user).toMatchObject({ id: user.id });
    expect(await db.signInFailure.count({ where: { email: user.email, source: ip } })).toBe(0);
  });
});
