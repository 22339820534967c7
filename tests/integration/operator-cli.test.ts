/**
 * The operator's account and backup commands through the real `portcullis` command (bin/
 * portcullis.js, a process of its own), on SQLite and PostgreSQL: list-users, set-role and
 * reset-password, the CPU priority clear-tokens runs at, --json output that parses whole (nothing
 * else on stdout), and a SQLite backup taken while another connection writes. Also: PORTCULLIS_ADMIN_PASSWORD with an admin in place
 * says that it is not used, and changes nothing.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "@/lib/audit/record";
import { readSettings } from "@/lib/config/settings";
import type { Db } from "@/lib/db/client";
import { describePrepared, prepare, projectRoot } from "@/lib/setup/bootstrap";
import { createUser } from "@/lib/users/commands";
import { authenticate } from "@/lib/users/sign-in";
import { freshDatabase, providers, type Provider, type TestDatabase } from "../support/databases.ts";

const run = promisify(execFile);

describe.each(providers)("the portcullis command on %s", (provider: Provider) => {
  let t: TestDatabase;
  let db: Db;
  let dataDir: string;
  let databaseUrl: string;

  const portcullis = (...args: string[]) => execute(path.join(projectRoot, "bin/portcullis.js"), args);

  async function execute(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(file, args, {
        cwd: dataDir,
        env: {
          NODE_ENV: "production",
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATABASE_URL: databaseUrl,
          PORTCULLIS_DATA_DIR: dataDir,
        },
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  beforeAll(async () => {
    t = await freshDatabase(provider);
    db = t.db;
    dataDir = mkdtempSync(path.join(tmpdir(), "portcullis-operator-cli-"));
    databaseUrl = t.target.provider === "sqlite" ? `file:${t.target.file}` : t.target.url;
    await createUser(db, { email: "first-admin@example.com", password: "First-Admin-1", admin: true }, cliActor);
    await createUser(db, { email: "locked-out@example.com", password: "Forgotten-1", name: "Locked Out" }, cliActor);
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("list-users --json prints the users and nothing else", async () => {
    const { code, stdout } = await portcullis("list-users", "--json");
    expect(code).toBe(0);
    const users = JSON.parse(stdout) as { email: string; role: string; disabled: boolean }[];
    expect(users.map(({ email, role }) => ({ email, role }))).toEqual([
      { email: "first-admin@example.com", role: "admin" },
      { email: "locked-out@example.com", role: "user" },
    ]);
    const admins = JSON.parse((await portcullis("list-users", "--role", "admin", "--json")).stdout) as unknown[];
    expect(admins).toHaveLength(1);
  });

  it("set-role makes an admin, and refuses to take the last admin's role", async () => {
    const promoted = await portcullis("set-role", "--email", "Locked-Out@example.com", "--role", "admin");
    expect(promoted).toMatchObject({ code: 0, stdout: "locked-out@example.com is now an admin\n" });
    expect((await portcullis("set-role", "--email", "first-admin@example.com", "--role", "user")).code).toBe(0);
    const last = await portcullis("set-role", "--email", "locked-out@example.com", "--role", "user", "--json");
    expect(last.code).toBe(1);
    expect(JSON.parse(last.stderr)).toEqual({
      errors: {
        "--role": [
          "There must always be at least one enabled administrator. Make another user an administrator first.",
        ],
      },
    });
    expect((await portcullis("set-role", "--email", "nobody@example.com", "--role", "user")).stderr).toBe(
      "error: --email: No user has the email nobody@example.com.\n",
    );
  });

  it("reset-password: a generated password, printed once, signs in; the old one no longer does", async () => {
    const { code, stdout } = await portcullis("reset-password", "--email", "locked-out@example.com", "--json");
    expect(code).toBe(0);
    const { password } = JSON.parse(stdout) as { password: string };
    expect(password.length).toBeGreaterThanOrEqual(16);
    expect(await authenticate(db, "locked-out@example.com", password)).not.toBeNull();
    expect(await authenticate(db, "locked-out@example.com", "Forgotten-1")).toBeNull();
    const chosen = await portcullis(
      "reset-password",
      "--email",
      "locked-out@example.com",
      "--password",
      "Chosen-Password-1",
    );
    expect(chosen.stdout).not.toContain("New password");
    expect(await authenticate(db, "locked-out@example.com", "Chosen-Password-1")).not.toBeNull();
    const short = await portcullis("reset-password", "--email", "locked-out@example.com", "--password", "short");
    expect(short).toMatchObject({ code: 1, stderr: "error: --password: Must be at least 8 characters\n" });
  });

  it("PORTCULLIS_ADMIN_PASSWORD with an admin in place: said to be unused, and no password changes", async () => {
    const prepared = await prepare(
      readSettings({
        DATABASE_URL: databaseUrl,
        PORTCULLIS_DATA_DIR: dataDir,
        PORTCULLIS_ADMIN_PASSWORD: "Leftover-Variable-1",
      }),
    );
    expect(describePrepared(prepared)[0]).toMatch(
      /^PORTCULLIS_ADMIN_PASSWORD is set but not used: it only creates the first administrator/,
    );
    expect(await authenticate(db, "first-admin@example.com", "Leftover-Variable-1")).toBeNull();
  });

  it("clear-tokens runs below normal CPU priority on PostgreSQL, at the one it was given on SQLite, and never raises it", async () => {
    const priorityLogged = (stderr: string) => {
      const lines = stderr.split("\n").filter((line) => line.startsWith("{"));
      const entries = lines.map((line) => JSON.parse(line) as { msg: string; priority?: number });
      return entries.find(({ msg }) => msg.startsWith("clear-tokens runs at"))?.priority;
    };
    const own = os.getPriority();
    const belowNormal = 10;
    const plain = await portcullis("clear-tokens", "--json");
    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout)).toMatchObject({ deleted: { accessTokens: 0 } });
    expect(priorityLogged(plain.stderr)).toBe(provider === "postgresql" ? Math.max(own, belowNormal) : own);

    const niceFromCron = Math.max(own, 15);
    const niced = await execute("nice", [
      "-n",
      String(niceFromCron - own),
      path.join(projectRoot, "bin/portcullis.js"),
      "clear-tokens",
    ]);
    expect(niced.code).toBe(0);
    expect(priorityLogged(niced.stderr)).toBe(niceFromCron);
  });

  it("backup: a consistent SQLite copy while another connection writes; PostgreSQL points to pg_dump", async () => {
    const copy = path.join(dataDir, "backup.db");
    if (t.target.provider !== "sqlite") {
      const { code, stderr } = await portcullis("backup", "--to", copy);
      expect(code).toBe(1);
      expect(stderr).toContain("pg_dump");
      return;
    }
    const writer = new Database(t.target.file);
    let writes = 0;
    const writing = setInterval(() => {
      writer
        .prepare(`INSERT INTO "SignInFailure" (id, email, source, failedAt) VALUES (?, 'x@example.com', '', ?)`)
        .run(`w${writes++}`, Date.now());
    }, 2);
    try {
      const { code, stdout } = await portcullis("backup", "--to", copy, "--json");
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ file: copy, pages: expect.any(Number) });
    } finally {
      clearInterval(writing);
      writer.close();
    }
    const restored = new Database(copy, { readonly: true });
    try {
      expect(restored.pragma("integrity_check", { simple: true })).toBe("ok");
      const emails = restored.prepare(`SELECT email FROM "User" ORDER BY email`).all();
      expect(emails).toEqual([{ email: "first-admin@example.com" }, { email: "locked-out@example.com" }]);
    } finally {
      restored.close();
    }
    expect((await portcullis("backup", "--to", copy)).stderr).toContain("already exists");
  });
});
