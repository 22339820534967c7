/**
 * The one-time secret screen's handoff (lib/applications/secret-handoff.ts) on both databases: the
 * secret is stored only sealed, taken once by the admin who issued it, never after it expires,
 * replaced when a newer secret is issued, and unreadable under another key.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/applications/commands";
import {
  handoffCipher,
  handoffLifetimeMs,
  stashIssuedSecret,
  takeIssuedSecret,
} from "@/lib/applications/secret-handoff";
import { systemActor } from "@/lib/audit/record";
import type { Db } from "@/lib/db/client";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

describe.each(providers)("the secret handoff on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  let applicationId: string;
  const cipher = handoffCipher(randomBytes(32));
  const secret = `pcs_${randomBytes(24).toString("base64url")}`;

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
    const app = await createApplication(
      db,
      { name: "Handed", clientType: "confidential", grantTypes: ["client_credentials"] },
      systemActor,
    );
    if (!app.ok) throw new Error(JSON.stringify(app.errors));
    applicationId = app.application.id;
  });
  afterAll(async () => {
    await t.drop();
  });

  it("is stored sealed, shown once to the admin who issued it, and then gone", async () => {
    await stashIssuedSecret(db, cipher, { applicationId, actorId: "admin-a", secret, reason: "created" });
    const rows = await db.secretHandoff.findMany();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(rows)).not.toContain(secret.slice(4, 20));
    // Another admin on the same page gets nothing, and takes nothing.
    expect(await takeIssuedSecret(db, cipher, { applicationId, actorId: "admin-b" })).toBeNull();
    expect(await takeIssuedSecret(db, cipher, { applicationId, actorId: "admin-a" })).toEqual({
      secret,
      reason: "created",
    });
    expect(await takeIssuedSecret(db, cipher, { applicationId, actorId: "admin-a" })).toBeNull();
    expect(await db.secretHandoff.count()).toBe(0);
  });

  it("two views at once: exactly one shows it", async () => {
    await stashIssuedSecret(db, cipher, { applicationId, actorId: "admin-a", secret, reason: "rotated" });
    const views = await Promise.all(
      Array.from({ length: 5 }, () => takeIssuedSecret(db, cipher, { applicationId, actorId: "admin-a" })),
    );
    expect(views.filter((view) => view !== null)).toEqual([{ secret, reason: "rotated" }]);
  });

  it("expires unviewed, a newer secret replaces an older one, and another key cannot read it", async () => {
    const issuedAt = new Date();
    await stashIssuedSecret(db, cipher, { applicationId, actorId: "admin-a", secret, reason: "rotated" }, issuedAt);
    const later = new Date(issuedAt.getTime() + handoffLifetimeMs + 1);
    expect(await takeIssuedSecret(db, cipher, { applicationId, actorId: "admin-a" }, later)).toBeNull();

    await stashIssuedSecret(db, cipher, { applicationId, actorId: "admin-a", secret: "pcs_old", reason: "rotated" });
    await stashIssuedSecret(db, cipher, { applicationId, actorId: "admin-b", secret: "pcs_new", reason: "rotated" });
    // The expired row and the older secret went when the newer one was stashed.
    expect(await db.secretHandoff.count()).toBe(1);
    expect(await takeIssuedSecret(db, cipher, { applicationId, actorId: "admin-a" })).toBeNull();
    const otherServer = handoffCipher(randomBytes(32));
    expect(await takeIssuedSecret(db, otherServer, { applicationId, actorId: "admin-b" })).toBeNull();
  });

  it("goes with its application", async () => {
    await stashIssuedSecret(db, cipher, { applicationId, actorId: "admin-a", secret, reason: "created" });
    await db.application.delete({ where: { id: applicationId } });
    expect(await db.secretHandoff.count()).toBe(0);
  });
});
