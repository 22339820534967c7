/**
 * Users (lib/users/commands.ts) and the operator CLI (lib/cli/cli.ts) against real, migrated
 * SQLite and PostgreSQL databases.
 */
import { verify } from "@node-rs/argon2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findApplication, findApplicationByClientId } from "@/lib/applications/queries";
import { cliActor } from "@/lib/audit/record";
import { runCli, type Io } from "@/lib/cli/cli";
import { settings } from "@/lib/config/settings";
import { connect, type Db } from "@/lib/db/client";
import { credentialMatches } from "@/lib/oauth/secrets";
import { createUser } from "@/lib/users/commands";
import { authenticate } from "@/lib/users/sign-in";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

interface Captured extends Io {
  stdout: string[];
  stderr: string[];
}

function capture(): Captured {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

async function cli(db: Db, ...argv: string[]) {
  const io = capture();
  const code = await runCli(db, argv, io);
  return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}

describe.each(providers)("users on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
  });
  afterAll(async () => {
    await t?.drop();
  });

  describe("authenticate throttling", () => {
    const { freeFailures, memory } = settings().signInThrottle;

    it("after a few failures on one email from one address, even the right password from there waits", async () => {
      const email = `guessed-${provider}@example.com`;
      const password = "Right-Password-1";
      await createUser(db, { email, password, name: "Guessed" }, cliActor);
      expect(await authenticate(db, email, password)).not.toBeNull();
      for (let i = 0; i < freeFailures; i++) expect(await authenticate(db, email, `wrong-${i}`)).toBeNull();
      expect(await authenticate(db, email.toUpperCase(), password)).toBeNull();
      // Other accounts are not affected.
      const other = `other-${provider}@example.com`;
      await createUser(db, { email: other, password, name: "Other" }, cliActor);
      expect(await authenticate(db, other, password)).not.toBeNull();
    });

    it("counts the failures every instance recorded in the database, not only its own", async () => {
      const email = `spread-${provider}@example.com`;
      const password = "Right-Password-2";
      await createUser(db, { email, password, name: "Spread" }, cliActor);
      // Guesses another instance behind the load balancer turned down, a minute ago.
      const otherInstance = connect(t.target);
      try {
        const justNow = new Date(Date.now() - 5_000);
        await otherInstance.signInFailure.createMany({
          data: Array.from({ length: freeFailures }, () => ({ email, failedAt: justNow })),
        });
      } finally {
        await otherInstance.$disconnect();
      }
      expect(await authenticate(db, email, password)).toBeNull();
    });

    it("forgets failures older than the window, and a successful sign-in clears the rest", async () => {
      const email = `patient-${provider}@example.com`;
      const password = "Right-Password-3";
      await createUser(db, { email, password, name: "Patient" }, cliActor);
      const longAgo = new Date(Date.now() - memory * 1000 - 1000);
      await db.signInFailure.createMany({
        data: Array.from({ length: freeFailures + 3 }, () => ({ email, failedAt: longAgo })),
      });
      expect(await authenticate(db, email, password)).not.toBeNull();
      expect(await db.signInFailure.count({ where: { email } })).toBe(0);
      for (let i = 0; i < freeFailures - 1; i++) expect(await authenticate(db, email, `wrong-${i}`)).toBeNull();
      expect(await authenticate(db, email, password)).not.toBeNull();
      expect(await authenticate(db, email, "wrong-again")).toBeNull();
      expect(await authenticate(db, email, password)).not.toBeNull();
    });
  });

  describe("createUser", () => {
    it("two concurrent sign-ups with one email: one account, the other gets a field error", async () => {
      const email = `race-${provider}@example.com`;
      const results = await Promise.all(
        [1, 2, 3].map(() => createUser(db, { email, password: "Race-Horse-9", name: "Racer" }, cliActor)),
      );
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      for (const result of results.filter((result) => !result.ok)) {
        expect(result).toEqual({ ok: false, errors: { email: ["An account with this email already exists"] } });
      }
      expect(await db.user.count({ where: { email } })).toBe(1);
    });

    it("normalises the email to lower case and stores an argon2id hash, never the password", async () => {
      const password = "Correct-Horse-9";
      const result = await createUser(db, { email: "  Alice.Smith@Example.COM ", password, name: " Alice " }, cliActor);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.user).toMatchObject({ email: "alice.smith@example.com", name: "Alice", role: "USER" });

      const row = await db.user.findUniqueOrThrow({ where: { id: result.user.id } });
      expect(row.email).toBe("alice.smith@example.com");
      expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
      expect(row.passwordHash).not.toContain(password);
      expect(await verify(row.passwordHash, password)).toBe(true);
      expect(await verify(row.passwordHash, "wrong-password")).toBe(false);
      expect(row.disabled).toBe(false);

      const audit = await db.auditEvent.findMany({ where: { targetUserId: result.user.id } });
      expect(audit.map((a) => a.action)).toEqual(["user.created"]);
      expect(audit[0]!.actorEmail).toBe("cli");
      expect(JSON.stringify(audit)).not.toContain(password);
      expect(JSON.stringify(audit)).not.toContain(row.passwordHash);
    });

    it("salts each hash: the same password twice gives two different hashes", async () => {
      const a = await createUser(db, { email: "salt-a@example.com", password: "same-password" }, cliActor);
      const b = await createUser(db, { email: "salt-b@example.com", password: "same-password" }, cliActor);
      if (!a.ok || !b.ok) throw new Error("setup failed");
      const [ha, hb] = await Promise.all(
        [a, b].map((r) => db.user.findUniqueOrThrow({ where: { id: r.ok ? r.user.id : "" } })),
      );
      expect(ha!.passwordHash).not.toBe(hb!.passwordHash);
    });

    it("creates an admin when asked", async () => {
      const result = await createUser(
        db,
        { email: "root@example.com", password: "long-enough-1", admin: true },
        cliActor,
      );
      expect(result.ok && result.user.role).toBe("ADMIN");
    });

    it("refuses a duplicate email, whatever its case, with a field error and no second row", async () => {
      await createUser(db, { email: "bob@example.com", password: "bobs-password" }, cliActor);
      const before = await db.user.count();
      const auditBefore = await db.auditEvent.count();
      const again = await createUser(db, { email: "BOB@Example.com", password: "other-password" }, cliActor);
      expect(again.ok).toBe(false);
      if (again.ok) return;
      expect(Object.keys(again.errors)).toEqual(["email"]);
      expect(again.errors.email?.[0]).toMatch(/already exists/);
      expect(await db.user.count()).toBe(before);
      expect(await db.auditEvent.count()).toBe(auditBefore);
    });

    it("refuses an invalid email or a short password with field errors and writes nothing", async () => {
      const before = await db.user.count();
      const result = await createUser(db, { email: "not-an-email", password: "short" }, cliActor);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(Object.keys(result.errors).sort()).toEqual(["email", "password"]);
      const missing = await createUser(db, {}, cliActor);
      expect(missing.ok).toBe(false);
      if (missing.ok) return;
      expect(Object.keys(missing.errors).sort()).toEqual(["email", "password"]);
      expect(await db.user.count()).toBe(before);
    });
  });

  describe("authenticate", () => {
    let userId: string;
    const email = "carol@example.com";
    const password = "carols-long-password";

    beforeAll(async () => {
      const result = await createUser(db, { email, password, name: "Carol" }, cliActor);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      userId = result.user.id;
    });

    it("returns the user for the right password", async () => {
      expect(await authenticate(db, email, password)).toEqual({ id: userId, email, name: "Carol", role: "USER" });
    });

    it("matches the email regardless of case and surrounding spaces", async () => {
      expect((await authenticate(db, "  CAROL@Example.com ", password))?.id).toBe(userId);
    });

    it("returns null for a wrong password", async () => {
      expect(await authenticate(db, email, "carols-long-passwor")).toBeNull();
      expect(await authenticate(db, email, password.toUpperCase())).toBeNull();
      expect(await authenticate(db, email, "")).toBeNull();
    });

    it("returns null for an unknown email", async () => {
      expect(await authenticate(db, "nobody@example.com", password)).toBeNull();
    });

    it("returns null for a disabled user, even with the right password", async () => {
      const result = await createUser(db, { email: "dave@example.com", password: "daves-password" }, cliActor);
      if (!result.ok) throw new Error("setup failed");
      expect(await authenticate(db, "dave@example.com", "daves-password")).not.toBeNull();
      await db.user.update({ where: { id: result.user.id }, data: { disabled: true } });
      expect(await authenticate(db, "dave@example.com", "daves-password")).toBeNull();
    });
  });
});

describe.each(providers)("the CLI on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
  });
  afterAll(async () => {
    await t?.drop();
  });

  describe("create-user", () => {
    it("creates a user and prints it as JSON", async () => {
      const { code, stdout, stderr } = await cli(
        db,
        "create-user",
        "--email",
        "Erin@Example.com",
        "--password",
        "erins-password",
        "--admin",
        "--name",
        "Erin",
        "--json",
      );
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const printed = JSON.parse(stdout) as { id: string; email: string; name: string; role: string };
      expect(printed).toMatchObject({ email: "erin@example.com", name: "Erin", role: "admin" });
      const row = await db.user.findUniqueOrThrow({ where: { id: printed.id } });
      expect(row.role).toBe("ADMIN");
      expect((await authenticate(db, "erin@example.com", "erins-password"))?.id).toBe(printed.id);
    });

    it("prints a plain line without --json", async () => {
      const { code, stdout } = await cli(
        db,
        "create-user",
        "--email",
        "frank@example.com",
        "--password",
        "franks-password",
      );
      expect(code).toBe(0);
      expect(stdout).toContain("frank@example.com");
      expect(stdout).not.toContain("franks-password");
    });

    it("exits non-zero naming the flag when input is invalid", async () => {
      const before = await db.user.count();
      const bad = await cli(db, "create-user", "--email", "nope", "--password", "x");
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/--email/);
      expect(bad.stderr).toMatch(/--password/);
      const duplicate = await cli(db, "create-user", "--email", "ERIN@example.com", "--password", "another-password");
      expect(duplicate.code).not.toBe(0);
      expect(duplicate.stderr).toMatch(/--email.*already exists/);
      expect(await db.user.count()).toBe(before);
    });
  });

  describe("create-application", () => {
    it("prints the client id and secret as JSON, and the application exists with that secret", async () => {
      const { code, stdout, stderr } = await cli(
        db,
        "create-application",
        "--name",
        "Reporting",
        "--client-type",
        "confidential",
        "--grant-types",
        "authorization_code,refresh_token client_credentials",
        "--redirect-uris",
        "https://reports.example.com/cb http://127.0.0.1/cb",
        "--allowed-origins",
        "https://reports.example.com",
        "--scopes",
        "openid email",
        "--skip-authorization",
        "--algorithm",
        "RS256",
        "--no-pkce",
        "--json",
      );
      expect(stderr).toBe("");
      expect(code).toBe(0);
      const printed = JSON.parse(stdout) as { id: string; name: string; clientId: string; clientSecret: string };
      expect(printed.clientSecret).toMatch(/^pcs_[0-9a-z]{8}[A-Za-z0-9_-]{43}$/);
      const app = await findApplicationByClientId(db, printed.clientId);
      expect(app).toMatchObject({
        id: printed.id,
        name: "Reporting",
        clientType: "confidential",
        grantTypes: ["authorization_code", "client_credentials", "refresh_token"],
        redirectUris: ["https://reports.example.com/cb", "http://127.0.0.1/cb"],
        allowedOrigins: ["https://reports.example.com"],
        allowedScopes: ["email", "openid"],
        skipAuthorization: true,
        algorithm: "RS256",
        pkceRequired: false,
      });
      const stored = await db.application.findUniqueOrThrow({
        where: { id: printed.id },
        select: { clientSecretHash: true },
      });
      expect(credentialMatches(printed.clientSecret, stored.clientSecretHash)).toBe(true);
      const audit = await db.auditEvent.findMany({ where: { applicationId: printed.id } });
      expect(audit.map((a) => [a.action, a.actorEmail])).toEqual([["application.created", "cli"]]);
    });

    it("prints a null secret for a public client, and PKCE stays on by default", async () => {
      const { code, stdout } = await cli(
        db,
        "create-application",
        "--name",
        "Phone",
        "--client-type",
        "public",
        "--grant-types",
        "authorization_code",
        "--redirect-uris",
        "com.example.phone:/cb",
        "--json",
      );
      expect(code).toBe(0);
      const printed = JSON.parse(stdout) as { id: string; clientSecret: string | null };
      expect(printed.clientSecret).toBeNull();
      expect(await findApplication(db, printed.id)).toMatchObject({
        clientType: "public",
        pkceRequired: true,
        skipAuthorization: false,
      });
    });

    it("prints the secret once, in plain text, without --json", async () => {
      const { code, stdout } = await cli(
        db,
        "create-application",
        "--name",
        "Cron",
        "--client-type",
        "confidential",
        "--grant-types",
        "client_credentials",
      );
      expect(code).toBe(0);
      const clientId = /client_id:\s+(\S+)/.exec(stdout)?.[1];
      const secret = /client_secret:\s+(pcs_\S+)/.exec(stdout)?.[1];
      expect(clientId).toBeDefined();
      expect(secret).toBeDefined();
      const app = await findApplicationByClientId(db, clientId!);
      expect(app?.name).toBe("Cron");
      const stored = await db.application.findUniqueOrThrow({
        where: { clientId: clientId! },
        select: { clientSecretHash: true },
      });
      expect(credentialMatches(secret!, stored.clientSecretHash)).toBe(true);
    });

    it.each([
      [
        "a public client with client_credentials",
        ["--name", "Bad", "--client-type", "public", "--grant-types", "client_credentials"],
        "--grant-types",
      ],
      [
        "an http redirect URI on a public host",
        [
          "--name",
          "Bad",
          "--client-type",
          "public",
          "--grant-types",
          "authorization_code",
          "--redirect-uris",
          "http://app.example.com/cb",
        ],
        "--redirect-uris",
      ],
      [
        "an unknown grant type",
        ["--name", "Bad", "--client-type", "confidential", "--grant-types", "implicit"],
        "--grant-types",
      ],
      ["a missing --name", ["--client-type", "confidential", "--grant-types", "client_credentials"], "--name"],
      ["a missing --client-type", ["--name", "Bad", "--grant-types", "client_credentials"], "--client-type"],
      [
        "a path in an allowed origin",
        [
          "--name",
          "Bad",
          "--client-type",
          "public",
          "--grant-types",
          "authorization_code",
          "--redirect-uris",
          "https://a.example.com/cb",
          "--allowed-origins",
          "https://a.example.com/app",
        ],
        "--allowed-origins",
      ],
      [
        "an invalid scope",
        ["--name", "Bad", "--client-type", "confidential", "--grant-types", "client_credentials", "--scopes", 'say"hi'],
        "--scopes",
      ],
    ])("refuses %s, naming the flag, and creates nothing", async (_label, args, flag) => {
      const before = await db.application.count();
      const { code, stdout, stderr } = await cli(db, "create-application", ...args);
      expect(code).not.toBe(0);
      expect(stdout).toBe("");
      expect(stderr).toContain(`error: ${flag}:`);
      expect(await db.application.count()).toBe(before);
    });

    it("with --json, reports the field errors as JSON on stderr, keyed by flag", async () => {
      const { code, stdout, stderr } = await cli(
        db,
        "create-application",
        "--client-type",
        "public",
        "--grant-types",
        "client_credentials",
        "--scopes",
        "orders:read",
        "--json",
      );
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(JSON.parse(stderr)).toEqual({
        errors: {
          "--name": ["Enter a name"],
          "--grant-types": ["Client credentials needs a confidential client: a public client cannot keep a secret"],
          "--scopes": [
            '"orders:read" is not a scope this server offers: remove it, or add it to the scope catalogue (Admin › Scopes)',
          ],
        },
      });
    });

    it("refuses an unknown flag with exit code 2", async () => {
      const { code, stderr } = await cli(db, "create-application", "--name", "X", "--colour", "blue");
      expect(code).toBe(2);
      expect(stderr).toMatch(/^error: .*--colour/);
    });
  });

  describe("list-applications", () => {
    it("prints every application as JSON, sorted by name", async () => {
      const { code, stdout } = await cli(db, "list-applications", "--json");
      expect(code).toBe(0);
      const rows = JSON.parse(stdout) as {
        id: string;
        name: string;
        clientId: string;
        clientType: string;
        grantTypes: string[];
        createdAt: string;
      }[];
      const stored = await db.application.findMany({ select: { id: true, name: true, createdAt: true } });
      expect(rows).toHaveLength(stored.length);
      expect(rows.length).toBeGreaterThanOrEqual(3);
      expect(rows.map((r) => r.name)).toEqual(stored.map((s) => s.name).sort());
      for (const row of rows) {
        const match = stored.find((s) => s.id === row.id)!;
        expect(row.createdAt).toBe(match.createdAt.toISOString());
        expect(row).not.toHaveProperty("clientSecretHash");
      }
      expect(stdout).not.toMatch(/pcs_/);
    });

    it("filters with --search", async () => {
      const { code, stdout } = await cli(db, "list-applications", "--search", "REPORT", "--json");
      expect(code).toBe(0);
      expect((JSON.parse(stdout) as { name: string }[]).map((r) => r.name)).toEqual(["Reporting"]);
    });

    it("prints one line per application without --json", async () => {
      const { code, stdout } = await cli(db, "list-applications");
      expect(code).toBe(0);
      const lines = stdout.split("\n");
      expect(lines).toHaveLength(await db.application.count());
      expect(lines.find((line) => line.includes("Reporting"))).toMatch(/trusted/);
      const empty = await cli(db, "list-applications", "--search", "nothing matches this");
      expect(empty.stdout).toBe("No applications.");
    });

    it("lists more than one page's worth", async () => {
      const start = Date.UTC(2024, 0, 1);
      await db.application.createMany({
        data: Array.from({ length: 130 }, (_, i) => ({
          clientId: `cli-many-${i}`,
          name: `Many ${String(i).padStart(3, "0")}`,
          clientType: "PUBLIC" as const,
          createdAt: new Date(start + i),
          updatedAt: new Date(start + i),
        })),
      });
      const { code, stdout } = await cli(db, "list-applications", "--search", "Many ", "--json");
      expect(code).toBe(0);
      const names = (JSON.parse(stdout) as { name: string }[]).map((r) => r.name);
      expect(names).toHaveLength(130);
      expect(new Set(names).size).toBe(130);
      await db.application.deleteMany({ where: { clientId: { startsWith: "cli-many-" } } });
    });
  });

  describe("delete-application", () => {
    it("deletes by id", async () => {
      const created = await cli(
        db,
        "create-application",
        "--name",
        "Temporary",
        "--client-type",
        "public",
        "--grant-types",
        "authorization_code",
        "--redirect-uris",
        "https://tmp.example.com/cb",
        "--json",
      );
      const { id } = JSON.parse(created.stdout) as { id: string };
      const { code, stdout } = await cli(db, "delete-application", id, "--json");
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual({ deleted: id, name: "Temporary" });
      expect(await findApplication(db, id)).toBeNull();
      expect(
        await db.auditEvent.count({ where: { applicationId: id, action: "application.deleted", actorEmail: "cli" } }),
      ).toBe(1);
    });

    it("deletes by client id", async () => {
      const created = await cli(
        db,
        "create-application",
        "--name",
        "By client id",
        "--client-type",
        "confidential",
        "--grant-types",
        "client_credentials",
        "--json",
      );
      const { id, clientId } = JSON.parse(created.stdout) as { id: string; clientId: string };
      const { code, stdout } = await cli(db, "delete-application", clientId, "--json");
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual({ deleted: id, name: "By client id" });
      expect(await findApplicationByClientId(db, clientId)).toBeNull();
    });

    it("fails for an unknown id, in JSON with --json", async () => {
      const before = await db.application.count();
      const { code, stderr } = await cli(db, "delete-application", "no-such-id");
      expect(code).toBe(1);
      expect(stderr).toBe("error: no application with ID or client ID no-such-id");
      const json = await cli(db, "delete-application", "no-such-id", "--json");
      expect(json.code).toBe(1);
      expect(JSON.parse(json.stderr)).toEqual({ errors: { ID: ["no application with ID or client ID no-such-id"] } });
      expect(await db.application.count()).toBe(before);
    });

    it("needs exactly one id", async () => {
      expect((await cli(db, "delete-application")).code).toBe(2);
      expect((await cli(db, "delete-application", "a", "b")).code).toBe(2);
    });
  });

  describe("commands", () => {
    it("exits 2 for an unknown command, naming it", async () => {
      const { code, stderr } = await cli(db, "drop-database");
      expect(code).toBe(2);
      expect(stderr).toContain('unknown command "drop-database"');
      expect(stderr).toContain("Usage:");
    });

    it("prints usage: exit 2 with no command, 0 when asked for help", async () => {
      const none = await cli(db);
      expect(none.code).toBe(2);
      expect(none.stdout).toContain("Usage:");
      for (const help of ["help", "--help", "-h"]) {
        const asked = await cli(db, help);
        expect(asked.code).toBe(0);
        expect(asked.stdout).toContain("create-application");
      }
    });
  });
});
