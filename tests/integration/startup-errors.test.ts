/**
 * `npm start` that cannot start: one line that says what to do, exit code 1 (scripts/start.ts,
 * lib/setup/startup-errors.ts), before a build is even needed; and with PostgreSQL and both secrets
 * set, no data folder at all (a read-only container). A port in use needs the build: e2e/process-operations.spec.ts.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSettings } from "@/lib/config/settings";
import { prepare, projectRoot } from "@/lib/setup/bootstrap";
import { emptyDatabase } from "../support/databases";

let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(path.join(tmpdir(), "portcullis-startup-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs `npm start`'s program with `env`; its output lines and exit code. */
function start(env: Record<string, string>): { lines: string[]; status: number | null } {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: projectRoot,
    env: {
      NODE_ENV: "production",
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORTCULLIS_DATA_DIR: path.join(scratch, "data"),
      LOG_FORMAT: "json",
      ...env,
    },
    encoding: "utf8",
    timeout: 60_000,
  });
  const lines = `${result.stdout}${result.stderr}`.split("\n").filter((line) => line.trim() !== "");
  return { lines, status: result.status };
}

/** The single line a failed start printed: its message. */
function onlyMessage({ lines, status }: { lines: string[]; status: number | null }): string {
  expect(status).toBe(1);
  expect(lines).toHaveLength(1);
  const entry = JSON.parse(lines[0]!) as { level: number; msg: string };
  expect(entry.level).toBe(60);
  return entry.msg;
}

describe("start-up errors", () => {
  it("a PostgreSQL database that does not exist: say createdb", () => {
    const message = onlyMessage(start({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/portcullis_no_such_db" }));
    expect(message).toBe(
      'PostgreSQL database "portcullis_no_such_db" does not exist on 127.0.0.1:5432: create it (createdb -h 127.0.0.1 -p 5432 -U postgres portcullis_no_such_db) or fix DATABASE_URL.',
    );
  });

  it("PostgreSQL out of reach", () => {
    const message = onlyMessage(start({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/portcullis" }));
    expect(message).toBe(
      "Cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED): start it, or fix the host and port in DATABASE_URL.",
    );
  });

  it("a data folder that cannot be made", () => {
    const file = path.join(scratch, "a-file");
    writeFileSync(file, "");
    const message = onlyMessage(start({ PORTCULLIS_DATA_DIR: path.join(file, "data") }));
    expect(message).toMatch(
      /^Cannot write .*a-file\/data \(ENOTDIR\): make the data folder .* writable by this user, or set PORTCULLIS_DATA_DIR/,
    );
  });

  it("a SQLite file: URL in a folder that does not exist is an error, and nothing is created", () => {
    const missing = path.join(scratch, "missing-folder");
    const message = onlyMessage(start({ DATABASE_URL: `file:${missing}/portcullis.db` }));
    expect(message).toBe(
      `The folder of the SQLite database in DATABASE_URL (${missing}) does not exist: create it, or fix DATABASE_URL.`,
    );
    expect(existsSync(missing)).toBe(false);
  });

  it("a setting that is wrong", () => {
    expect(onlyMessage(start({ PORT: "eighty" }))).toBe('PORT must be a port number from 1 to 65535, got "eighty"');
  });
});

describe("a read-only container", () => {
  it("PostgreSQL with PORTCULLIS_SECRET and PORTCULLIS_KEY_ENCRYPTION_KEY: no data folder is made or needed", async () => {
    const { target, remove } = await emptyDatabase("postgresql");
    try {
      if (target.provider !== "postgresql") throw new Error("expected PostgreSQL");
      const dataDir = path.join(scratch, "never-made");
      const settings = readSettings({
        DATABASE_URL: target.url,
        PORTCULLIS_DATA_DIR: dataDir,
        PORTCULLIS_SECRET: "a-session-secret-for-this-test-only",
        PORTCULLIS_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
        PORTCULLIS_ADMIN_PASSWORD: "read-only-admin-password",
      });
      const prepared = await prepare(settings);
      expect(prepared.signingKeyCreated).toBe(true);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      await remove();
    }
  });
});
