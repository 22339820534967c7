import path from "node:path";
import { describe, expect, it } from "vitest";
import { builtInScopes } from "../oauth/scope.ts";
import { readSettings } from "./settings.ts";

const cwd = path.join(path.sep, "srv", "portcullis");

describe("readSettings", () => {
  it("runs with no environment at all", () => {
    const settings = readSettings({}, cwd);
    expect(settings.port).toBe(3000);
    expect(settings.publicUrl).toBe("http://localhost:3000");
    expect(settings.dataDir).toBe(path.join(cwd, "data"));
    expect(settings.databaseUrl).toBe(`file:${path.join(cwd, "data", "portcullis.db")}`);
    expect(settings.adminEmail).toBe("admin@example.com");
    expect(settings.adminPassword).toBeUndefined();
    expect(settings.sessionSecret).toBeUndefined();
    expect(settings.keyEncryptionKey).toBeUndefined();
    expect(settings.approvalPrompt).toBe("auto");
    expect(settings.clientCache).toBe(true);
    expect(settings.scopeSeed).toEqual(builtInScopes);
    expect(settings.lifetimes).toEqual({
      authorizationCode: 60,
      accessToken: 3600,
      refreshToken: 30 * 24 * 3600,
      consent: 90 * 24 * 3600,
      refreshGracePeriod: 0,
    });
    expect(settings.sessions).toEqual({ maxAge: 12 * 3600, idleTimeout: 30 * 60 });
  });

  it("reads the operations settings: HOST, the shutdown timeout, the metrics token", () => {
    const defaults = readSettings({}, cwd);
    expect(defaults.host).toBeUndefined();
    expect(defaults.shutdownTimeout).toBe(10);
    expect(defaults.metricsToken).toBeUndefined();
    const set = readSettings(
      { HOST: " 127.0.0.1 ", PORTCULLIS_SHUTDOWN_TIMEOUT: "0", PORTCULLIS_METRICS_TOKEN: "t0ken" },
      cwd,
    );
    expect(set).toMatchObject({ host: "127.0.0.1", shutdownTimeout: 0, metricsToken: "t0ken" });
    expect(() => readSettings({ PORTCULLIS_SHUTDOWN_TIMEOUT: "soon" }, cwd)).toThrow(
      'PORTCULLIS_SHUTDOWN_TIMEOUT must be a whole number of seconds ≥ 0, got "soon"',
    );
  });

  it("reads the session lifetimes and refuses zero, which would end every session at once", () => {
    expect(
      readSettings({ PORTCULLIS_SESSION_MAX_AGE: "3600", PORTCULLIS_SESSION_IDLE_TIMEOUT: "300" }, cwd).sessions,
    ).toEqual({ maxAge: 3600, idleTimeout: 300 });
    expect(() => readSettings({ PORTCULLIS_SESSION_MAX_AGE: "0" }, cwd)).toThrow(/PORTCULLIS_SESSION_MAX_AGE.*≥ 1/);
    expect(readSettings({}, cwd).passwordResetLifetime).toBe(3600);
    expect(readSettings({ PORTCULLIS_PASSWORD_RESET_LIFETIME: "600" }, cwd).passwordResetLifetime).toBe(600);
    expect(() => readSettings({ PORTCULLIS_PASSWORD_RESET_LIFETIME: "0" }, cwd)).toThrow(
      /PORTCULLIS_PASSWORD_RESET_LIFETIME/,
    );
    expect(() => readSettings({ PORTCULLIS_SESSION_IDLE_TIMEOUT: "ten" }, cwd)).toThrow(
      /PORTCULLIS_SESSION_IDLE_TIMEOUT/,
    );
  });

  it("has throttle limits by default, each overridable, and refuses a limit that is not a whole number ≥ 1", () => {
    expect(readSettings({}, cwd).signInThrottle).toEqual({
      freeFailures: 5,
      firstDelay: 30,
      maxDelay: 900,
      memory: 86_400,
      addressLimit: 50,
      addressWindow: 900,
    });
    expect(readSettings({}, cwd).clientAuthThrottle).toEqual({ limit: 10, addressLimit: 50, window: 300 });
    const tuned = readSettings(
      { PORTCULLIS_SIGN_IN_FREE_FAILURES: "3", PORTCULLIS_CLIENT_AUTH_WINDOW: "60", PORTCULLIS_SIGN_IN_MAX_DELAY: " " },
      cwd,
    );
    expect(tuned.signInThrottle).toMatchObject({ freeFailures: 3, maxDelay: 900 });
    expect(tuned.clientAuthThrottle.window).toBe(60);
    for (const bad of ["0", "-1", "1.5", "ten"]) {
      expect(() => readSettings({ PORTCULLIS_CLIENT_AUTH_LIMIT: bad }, cwd)).toThrow(
        `PORTCULLIS_CLIENT_AUTH_LIMIT must be a whole number ≥ 1, got "${bad}"`,
      );
    }
  });

  it("turns the PostgreSQL client cache off only when asked to", () => {
    for (const value of ["off", "0", "false", "no", " OFF "])
      expect(readSettings({ PORTCULLIS_CLIENT_CACHE: value }, cwd).clientCache).toBe(false);
    for (const value of ["on", "1", ""])
      expect(readSettings({ PORTCULLIS_CLIENT_CACHE: value }, cwd).clientCache).toBe(true);
  });

  it("resolves the default data folder against the given working directory", () => {
    const other = path.join(path.sep, "opt", "elsewhere");
    expect(readSettings({}, other).dataDir).toBe(path.join(other, "data"));
    expect(readSettings({}, other).databaseUrl).toBe(`file:${path.join(other, "data", "portcullis.db")}`);
  });

  it("treats empty and blank values as unset", () => {
    const settings = readSettings(
      {
        PORT: "",
        PORTCULLIS_URL: "  ",
        DATABASE_URL: "",
        PORTCULLIS_DATA_DIR: " ",
        PORTCULLIS_ADMIN_EMAIL: "",
        PORTCULLIS_ADMIN_PASSWORD: "",
        PORTCULLIS_SECRET: " ",
        PORTCULLIS_APPROVAL_PROMPT: "",
        PORTCULLIS_SCOPES: "",
        PORTCULLIS_ACCESS_TOKEN_LIFETIME: "",
      },
      cwd,
    );
    expect(settings).toEqual(readSettings({}, cwd));
  });

  it("takes every value from the environment", () => {
    const settings = readSettings(
      {
        PORT: "8080",
        PORTCULLIS_URL: "https://auth.example.com",
        DATABASE_URL: "postgresql://portcullis@db.internal/portcullis",
        PORTCULLIS_DATA_DIR: "/var/lib/portcullis",
        PORTCULLIS_ADMIN_EMAIL: "ops@example.com",
        PORTCULLIS_ADMIN_PASSWORD: "correct horse battery staple",
        PORTCULLIS_SECRET: "s3cret",
        PORTCULLIS_APPROVAL_PROMPT: "force",
        PORTCULLIS_CODE_LIFETIME: "30",
        PORTCULLIS_ACCESS_TOKEN_LIFETIME: "900",
        PORTCULLIS_REFRESH_TOKEN_LIFETIME: "86400",
        PORTCULLIS_CONSENT_LIFETIME: "0",
        PORTCULLIS_REFRESH_GRACE_PERIOD: "5",
        PORTCULLIS_SCOPES: '{"api:read": "Read your orders"}',
      },
      cwd,
    );
    expect(settings.port).toBe(8080);
    expect(settings.publicUrl).toBe("https://auth.example.com");
    expect(settings.databaseUrl).toBe("postgresql://portcullis@db.internal/portcullis");
    expect(settings.dataDir).toBe(path.resolve("/var/lib/portcullis"));
    expect(settings.adminEmail).toBe("ops@example.com");
    expect(settings.adminPassword).toBe("correct horse battery staple");
    expect(settings.sessionSecret).toBe("s3cret");
    expect(settings.approvalPrompt).toBe("force");
    expect(settings.lifetimes).toEqual({
      authorizationCode: 30,
      accessToken: 900,
      refreshToken: 86400,
      consent: 0,
      refreshGracePeriod: 5,
    });
    expect(settings.scopeSeed["api:read"]).toEqual({ description: "Read your orders" });
    expect(settings.scopeSeed.openid).toEqual(builtInScopes.openid);
  });

  it("derives the default public URL from PORT", () => {
    expect(readSettings({ PORT: "4000" }, cwd).publicUrl).toBe("http://localhost:4000");
  });

  it("puts the SQLite file in a relative PORTCULLIS_DATA_DIR under the working directory", () => {
    const settings = readSettings({ PORTCULLIS_DATA_DIR: "state/db" }, cwd);
    expect(settings.dataDir).toBe(path.join(cwd, "state", "db"));
    expect(settings.databaseUrl).toBe(`file:${path.join(cwd, "state", "db", "portcullis.db")}`);
  });

  it.each([
    ["https://auth.example.com/", "https://auth.example.com"],
    ["https://auth.example.com///", "https://auth.example.com"],
    ["https://example.com/auth/", "https://example.com/auth"],
    ["https://example.com/auth", "https://example.com/auth"],
  ])("strips trailing slashes from PORTCULLIS_URL %s", (raw, expected) => {
    expect(readSettings({ PORTCULLIS_URL: raw }, cwd).publicUrl).toBe(expected);
  });

  it("falls back to NEXTAUTH_URL and NEXTAUTH_SECRET, preferring the PORTCULLIS_ variables", () => {
    const fallback = readSettings({ NEXTAUTH_URL: "https://login.example.com/", NEXTAUTH_SECRET: "next" }, cwd);
    expect(fallback.publicUrl).toBe("https://login.example.com");
    expect(fallback.sessionSecret).toBe("next");
    const preferred = readSettings(
      {
        PORTCULLIS_URL: "https://auth.example.com",
        NEXTAUTH_URL: "https://login.example.com",
        PORTCULLIS_SECRET: "own",
        NEXTAUTH_SECRET: "next",
      },
      cwd,
    );
    expect(preferred.publicUrl).toBe("https://auth.example.com");
    expect(preferred.sessionSecret).toBe("own");
  });

  it.each([
    "PORT",
    "PORTCULLIS_CODE_LIFETIME",
    "PORTCULLIS_ACCESS_TOKEN_LIFETIME",
    "PORTCULLIS_REFRESH_TOKEN_LIFETIME",
    "PORTCULLIS_CONSENT_LIFETIME",
    "PORTCULLIS_REFRESH_GRACE_PERIOD",
  ])("refuses a %s that is not a whole number ≥ 0, naming the variable and the value", (name) => {
    for (const bad of ["abc", "1.5", "-1", "3600s", "NaN", "Infinity"]) {
      expect(() => readSettings({ [name]: bad }, cwd), `${name}=${bad}`).toThrow(name);
      expect(() => readSettings({ [name]: bad }, cwd), `${name}=${bad}`).toThrow(`"${bad}"`);
    }
  });

  it("refuses an approval prompt other than auto or force", () => {
    expect(() => readSettings({ PORTCULLIS_APPROVAL_PROMPT: "always" }, cwd)).toThrow(/PORTCULLIS_APPROVAL_PROMPT/);
  });

  it("passes on an invalid PORTCULLIS_SCOPES as an error", () => {
    expect(() => readSettings({ PORTCULLIS_SCOPES: "[1]" }, cwd)).toThrow(/PORTCULLIS_SCOPES/);
  });

  it("reads only the environment it is given", () => {
    const saved = process.env.PORT;
    process.env.PORT = "5555";
    try {
      expect(readSettings({}, cwd).port).toBe(3000);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it.each(["70000", "0", "0x10", " x ", "-1", "80.5"])("refuses PORT=%j with a message about port numbers", (bad) => {
    expect(() => readSettings({ PORT: bad }, "/srv")).toThrow(/PORT must be a port number from 1 to 65535/);
  });
});
