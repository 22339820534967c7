/**
 * The scope catalogue in the database (lib/scopes): the start-up seed, the admins' commands and
 * their refusals, the in-memory catalogue every reader shares and how another instance or process
 * sees a change, and what the protocol does with it (defaults, refusals, discovery).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication, updateApplication } from "@/lib/applications/commands";
import { systemActor, type Actor } from "@/lib/audit/record";
import { connect, type Db } from "@/lib/db/client";
import { authorizationServerMetadata } from "@/lib/oauth/discovery";
import { parseParams } from "@/lib/oauth/params";
import { catalogueFromEnv } from "@/lib/oauth/scope";
import { handleTokenRequest } from "@/lib/oauth/token";
import { validateAuthorizationRequest } from "@/lib/oauth/authorize";
import { loadCatalogue, scopeCatalogue, seedScopeCatalogue } from "@/lib/scopes/catalogue";
import { createScope, deleteScope, updateScope } from "@/lib/scopes/commands";
import { usersGranting } from "@/lib/scopes/queries";
import { projectRoot } from "@/lib/setup/bootstrap";
import { emptyDatabase, freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";
import { testProtocol } from "../support/protocol.ts";
import { migrate, migrationsDirFor } from "@/lib/db/migrate";

const run = promisify(execFile);
const admin: Actor = { kind: "user", id: "admin-id", email: "admin@example.com" };
const form = (fields: Record<string, string>) => parseParams(new URLSearchParams(fields).toString());

async function auditOf(db: Db, action: string) {
  return (await db.auditEvent.findMany({ where: { action }, orderBy: { createdAt: "asc" } })).map((event) => ({
    actor: event.actorEmail,
    details: JSON.parse(event.details) as Record<string, unknown>,
  }));
}

describe.each(providers)("the scope catalogue on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
  });
  afterAll(async () => {
    await t.drop();
  });

  describe("the start-up seed", () => {
    let seedDb: Db;
    let remove: () => Promise<void>;
    beforeAll(async () => {
      const empty = await emptyDatabase(provider);
      await migrate(empty.target, migrationsDirFor(empty.target, projectRoot));
      seedDb = connect(empty.target);
      remove = async () => {
        await seedDb.$disconnect();
        await empty.remove();
      };
    });
    afterAll(async () => remove());

    it("inserts the built-in scopes and PORTCULLIS_SCOPES once, and never undoes an admin's edits", async () => {
      const seed = catalogueFromEnv(
        JSON.stringify({ "api:read": "Read your orders", email: "See your sign-up email" }),
      );
      expect((await seedScopeCatalogue(seedDb, seed)).sort()).toEqual(
        ["api:read", "email", "offline_access", "openid", "profile", "read", "write"].sort(),
      );
      const catalogue = await loadCatalogue(seedDb);
      // The protocol's scopes first, then by name; the deployer's description of a built-in wins the first time.
      expect(Object.keys(catalogue)).toEqual([
        "openid",
        "profile",
        "email",
        "offline_access",
        "api:read",
        "read",
        "write",
      ]);
      expect(catalogue.email).toEqual({ description: "See your sign-up email", isDefault: false });
      expect(await auditOf(seedDb, "scope.seeded")).toEqual([
        { actor: "system", details: { names: Object.keys(seed) } },
      ]);

      // An admin edits one seeded scope and deletes another; the next start changes neither.
      const apiRead = await seedDb.scope.findUniqueOrThrow({ where: { name: "api:read" } });
      await updateScope(seedDb, apiRead.id, { name: "api:read", description: "Read orders", isDefault: true }, admin);
      const write = await seedDb.scope.findUniqueOrThrow({ where: { name: "write" } });
      expect((await deleteScope(seedDb, write.id, admin)).ok).toBe(true);
      expect(await seedScopeCatalogue(seedDb, seed)).toEqual([]);
      const after = await loadCatalogue(seedDb);
      expect(after["api:read"]).toEqual({ description: "Read orders", isDefault: true });
      expect(after.write).toBeUndefined();

      // A name PORTCULLIS_SCOPES gains later is added; one an admin created first is left as it is.
      await createScope(seedDb, { name: "api:write", description: "Admin's words", isDefault: false }, admin);
      const more = { ...seed, ...catalogueFromEnv(JSON.stringify({ "api:write": "Env words", "api:admin": "Admin" })) };
      expect(await seedScopeCatalogue(seedDb, more)).toEqual(["api:admin"]);
      expect((await loadCatalogue(seedDb))["api:write"]?.description).toBe("Admin's words");
    });

    it("is safe when several instances start at once", async () => {
      const seed = catalogueFromEnv(JSON.stringify({ "race:one": "One", "race:two": "Two" }));
      const results = await Promise.all([seedScopeCatalogue(seedDb, seed), seedScopeCatalogue(seedDb, seed)]);
      expect(results.flat().sort()).toEqual(["race:one", "race:two"]);
    });
  });

  describe("the admins' commands", () => {
    it("creates a scope, audited; refuses a bad or taken name and an empty description, next to the field", async () => {
      const created = await createScope(
        db,
        { name: "orders:read", description: " Read your orders ", isDefault: false },
        admin,
      );
      expect(created).toMatchObject({ ok: true, scope: { name: "orders:read", description: "Read your orders" } });
      expect(await auditOf(db, "scope.created")).toEqual([
        {
          actor: "admin@example.com",
          details: { name: "orders:read", description: "Read your orders", isDefault: false },
        },
      ]);
      expect(await createScope(db, { name: "orders:read", description: "Again", isDefault: false }, admin)).toEqual({
        ok: false,
        errors: { name: ["A scope named orders:read already exists"] },
      });
      const bad = await createScope(db, { name: "two words", description: "", isDefault: false }, admin);
      expect(bad.ok).toBe(false);
      if (!bad.ok) {
        expect(bad.errors.name?.[0]).toMatch(/no spaces|without spaces/);
        expect(bad.errors.description?.[0]).toMatch(/Enter a description/);
      }
      expect(await createScope(db, "not an object", admin)).toMatchObject({ ok: false });
    });

    it("edits only the version the admin saw, and audits what changed", async () => {
      const scope = await db.scope.findUniqueOrThrow({ where: { name: "orders:read" } });
      const first = await updateScope(
        db,
        scope.id,
        { name: "orders:read", description: "Read your orders and invoices", isDefault: true },
        admin,
        { expectedVersion: scope.updatedAt },
      );
      expect(first.ok).toBe(true);
      // A second admin's form still shows the first version: refused, with what is stored now.
      const stale = await updateScope(
        db,
        scope.id,
        { name: "orders:read", description: "Mine", isDefault: false },
        admin,
        {
          expectedVersion: scope.updatedAt,
        },
      );
      expect(stale).toMatchObject({
        ok: false,
        conflict: { description: "Read your orders and invoices", isDefault: true },
      });
      const stored = await db.scope.findUniqueOrThrow({ where: { id: scope.id } });
      expect(stored.description).toBe("Read your orders and invoices");
      expect((await auditOf(db, "scope.updated")).at(-1)).toEqual({
        actor: "admin@example.com",
        details: {
          name: "orders:read",
          changes: {
            description: { from: "Read your orders", to: "Read your orders and invoices" },
            isDefault: { from: false, to: true },
          },
        },
      });
    });

    it("keeps the protocol scopes' names and never deletes them; their descriptions are editable", async () => {
      const openid = await db.scope.findUniqueOrThrow({ where: { name: "openid" } });
      expect(await updateScope(db, openid.id, { name: "oidc", description: "x", isDefault: false }, admin)).toEqual({
        ok: false,
        errors: { name: ["openid is a protocol scope: its name cannot change"] },
      });
      expect(await deleteScope(db, openid.id, admin)).toEqual({
        ok: false,
        message: "openid is a protocol scope: it cannot be deleted",
      });
      const edited = await updateScope(
        db,
        openid.id,
        { name: "openid", description: "Know it is you", isDefault: false },
        admin,
      );
      expect(edited).toMatchObject({ ok: true, scope: { name: "openid", description: "Know it is you" } });
    });

    it("refuses to delete or rename a scope applications allow, naming them; deletes one users granted", async () => {
      const scope = await createScope(
        db,
        { name: "reports", description: "See your reports", isDefault: false },
        admin,
      );
      if (!scope.ok) throw new Error("not created");
      const app = await createApplication(
        db,
        {
          name: "Reporting",
          clientType: "confidential",
          grantTypes: ["client_credentials"],
          allowedScopes: ["reports"],
        },
        systemActor,
      );
      if (!app.ok) throw new Error(JSON.stringify(app.errors));
      expect(await deleteScope(db, scope.scope.id, admin)).toEqual({
        ok: false,
        message:
          "reports cannot be deleted: the application Reporting allows it. Remove it from their allowed scopes first.",
      });
      expect(
        await updateScope(
          db,
          scope.scope.id,
          { name: "reporting", description: "See your reports", isDefault: false },
          admin,
        ),
      ).toMatchObject({
        ok: false,
        errors: { name: [expect.stringContaining("the application Reporting allows it")] },
      });
      expect(await db.scope.count({ where: { name: "reports" } })).toBe(1);

      // Once no application lists it, it goes, though a user granted it: their consent is left as it is.
      const user = await db.user.create({ data: { email: "granted@example.com", passwordHash: "x", name: "" } });
      await db.consent.create({
        data: {
          userId: user.id,
          applicationId: app.application.id,
          scope: "openid reports",
          expiresAt: new Date(Date.now() + 60_000),
        },
      });
      expect(await usersGranting(db, "reports")).toBe(1);
      expect(await usersGranting(db, "report")).toBe(0);
      const updated = await updateApplication(
        db,
        app.application.id,
        { name: "Reporting", clientType: "confidential", grantTypes: ["client_credentials"], allowedScopes: ["read"] },
        systemActor,
      );
      expect(updated.ok).toBe(true);
      expect(await deleteScope(db, scope.scope.id, admin)).toMatchObject({ ok: true, scope: { name: "reports" } });
      expect(await db.consent.count({ where: { userId: user.id } })).toBe(1);
      expect((await auditOf(db, "scope.deleted")).at(-1)).toEqual({
        actor: "admin@example.com",
        details: { name: "reports", description: "See your reports", isDefault: false },
      });
      // The application form no longer accepts it.
      const refused = await createApplication(
        db,
        { name: "Late", clientType: "confidential", grantTypes: ["client_credentials"], allowedScopes: ["reports"] },
        systemActor,
      );
      expect(refused).toMatchObject({ ok: false, errors: { allowedScopes: [expect.stringContaining('"reports"')] } });
    });
  });

  describe("the catalogue in memory", () => {
    it("is read once and shared until it changes; this process's edits show at once", async () => {
      const reader = scopeCatalogue(db);
      expect(scopeCatalogue(db)).toBe(reader);
      const first = await reader.read();
      // Unchanged: the very same object, not a new read.
      await expect.poll(async () => (await reader.read()) === (await reader.read())).toBe(true);
      const created = await createScope(db, { name: "fresh", description: "Fresh", isDefault: false }, admin);
      expect(created.ok).toBe(true);
      const after = await reader.read();
      expect(after).not.toBe(first);
      expect(after.fresh).toEqual({ description: "Fresh", isDefault: false });
    });

    it("another instance on the same database sees an edit", async () => {
      const other = connect(t.target);
      try {
        const reader = scopeCatalogue(db);
        const otherReader = scopeCatalogue(other);
        expect(otherReader).not.toBe(reader);
        expect((await otherReader.read()).fresh?.description).toBe("Fresh");
        // Both hold the catalogue (on PostgreSQL, once listening).
        await expect.poll(async () => (await otherReader.read()) === (await otherReader.read())).toBe(true);
        const fresh = await db.scope.findUniqueOrThrow({ where: { name: "fresh" } });
        expect(
          (await updateScope(db, fresh.id, { name: "fresh", description: "Edited here", isDefault: false }, admin)).ok,
        ).toBe(true);
        await expect
          .poll(async () => (await otherReader.read()).fresh?.description, { timeout: 5000 })
          .toBe("Edited here");
        // And the other way round, from a change made on the other instance.
        const back = await updateScope(
          other,
          fresh.id,
          { name: "fresh", description: "Edited there", isDefault: false },
          admin,
        );
        expect(back.ok).toBe(true);
        await expect.poll(async () => (await reader.read()).fresh?.description, { timeout: 5000 }).toBe("Edited there");
      } finally {
        await other.$disconnect();
      }
    });

    it("another process sees an edit, and this one sees that process's edit", async () => {
      const reader = scopeCatalogue(db);
      await expect.poll(async () => (await reader.read()) === (await reader.read())).toBe(true);
      const { stdout } = await run(
        process.execPath,
        ["--import", "tsx", "tests/support/scope-editor.ts", JSON.stringify(t.target), "fresh", "From another process"],
        { cwd: projectRoot, timeout: 60_000 },
      );
      // The other process's own catalogue showed its edit at once.
      expect(JSON.parse(stdout)).toEqual({ description: "From another process", isDefault: false });
      await expect
        .poll(async () => (await reader.read()).fresh?.description, { timeout: 5000 })
        .toBe("From another process");
    });
  });

  describe("what the protocol does with it", () => {
    let clientId: string;
    let secret: string;
    beforeAll(async () => {
      const app = await createApplication(
        db,
        { name: "Machine", clientType: "confidential", grantTypes: ["client_credentials"] },
        systemActor,
      );
      if (!app.ok || !app.clientSecret) throw new Error("not created");
      clientId = app.application.clientId;
      secret = app.clientSecret;
    });
    const token = (ctx: ReturnType<typeof testProtocol>, scope?: string) =>
      handleTokenRequest(
        ctx,
        form({
          grant_type: "client_credentials",
          client_id: clientId,
          client_secret: secret,
          ...(scope === undefined ? {} : { scope }),
        }),
        null,
      );

    it("a request without scope gets the default scopes (none by default), never openid or offline_access without a user", async () => {
      const ctx = testProtocol(db);
      for (const scope of await db.scope.findMany({ where: { isDefault: true } }))
        await updateScope(db, scope.id, { ...scope, isDefault: false }, admin);
      // As before default scopes existed: no scope.
      expect((await token(ctx)).response.scope).toBe("");
      const read = await db.scope.findUniqueOrThrow({ where: { name: "read" } });
      const openid = await db.scope.findUniqueOrThrow({ where: { name: "openid" } });
      await updateScope(db, read.id, { ...read, isDefault: true }, admin);
      await updateScope(db, openid.id, { ...openid, isDefault: true }, admin);
      expect((await token(ctx)).response.scope).toBe("read");
      expect((await token(ctx, "")).response.scope).toBe("read");
      // A request that names its scopes gets those only.
      expect((await token(ctx, "write")).response.scope).toBe("write");

      // At the authorization endpoint, the defaults this client may have (openid needs RS256).
      const spa = await createApplication(
        db,
        {
          name: "Browser",
          clientType: "public",
          grantTypes: ["authorization_code"],
          redirectUris: "https://app.example/cb",
          algorithm: "RS256",
        },
        systemActor,
      );
      if (!spa.ok) throw new Error(JSON.stringify(spa.errors));
      const validation = await validateAuthorizationRequest(
        ctx,
        new URLSearchParams({
          response_type: "code",
          client_id: spa.application.clientId,
          redirect_uri: "https://app.example/cb",
          code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
          code_challenge_method: "S256",
        }),
      );
      expect(validation).toMatchObject({ ok: true, request: { scopes: ["openid", "read"] } });
      await updateScope(db, read.id, { ...read, isDefault: false }, admin);
      await updateScope(db, openid.id, { ...openid, isDefault: false }, admin);
    });

    it("a deleted scope is refused and a new one granted, and discovery lists the catalogue", async () => {
      const ctx = testProtocol(db);
      const created = await createScope(
        db,
        { name: "billing", description: "See your bills", isDefault: false },
        admin,
      );
      if (!created.ok) throw new Error("not created");
      expect((await token(ctx, "billing")).response.scope).toBe("billing");
      expect(authorizationServerMetadata(ctx.config, await ctx.scopes.read()).scopes_supported).toContain("billing");
      await deleteScope(db, created.scope.id, admin);
      await expect(token(ctx, "billing")).rejects.toMatchObject({ code: "invalid_scope" });
      expect(authorizationServerMetadata(ctx.config, await ctx.scopes.read()).scopes_supported).not.toContain(
        "billing",
      );
    });
  });
});
