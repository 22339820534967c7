import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";
import { environments, extensionEnvironments, serverEnv, type Environment } from "./e2e/support/environments";

// E2E_SERVERS=sqlite,postgres starts (and tests against) only those servers; all of them by default.
const wanted = process.env.E2E_SERVERS?.split(",").map((name) => name.trim());
const selected = (list: Environment[]) => list.filter((environment) => !wanted || wanted.includes(environment.name));

// Debian's Chromium (apt), never a downloaded browser: Playwright's own download is unreachable on our
// machines. Its headless shell (package chromium-headless-shell, as Playwright itself uses for
// headless runs) when installed: the full browser costs a third more time per spec.
const headlessShell = "/usr/lib/chromium/chromium-headless-shell";
const chromiumPath = process.env.CHROMIUM_PATH ?? (existsSync(headlessShell) ? headlessShell : "/usr/bin/chromium");
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

// Specs about pages and forms (the dashboard, sign-in, security headers): what those pages store and
// read has integration tests on both databases (tests/integration), and a page is the same page on
// either, so they run against the SQLite server only. The PostgreSQL server, with two workers, runs
// the rest: the protocol, consent, sessions, throttles, the device flow, tokens, audit and usage
// counts, outages, the fuzzer and the account pages.
const pageSpecs = [
  /admin-applications\.spec\.ts/,
  /admin-audit-failures\.spec\.ts/,
  /admin-scopes\.spec\.ts/,
  /admin-try-it\.spec\.ts/,
  /admin-users-manage\.spec\.ts/,
  /dashboard-defects\.spec\.ts/,
  /secret-screen\.spec\.ts/,
  /security-headers\.spec\.ts/,
  /sign-in\.spec\.ts/,
];

export default defineConfig({
  testDir: "e2e",
  fullyParallel: false,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    browserName: "chromium",
    launchOptions: { executablePath: chromiumPath, args: chromiumArgs },
    trace: "retain-on-failure",
  },
  projects: [
    ...selected(environments).map((environment) => ({
      name: environment.name,
      use: { baseURL: environment.baseURL },
      metadata: { databaseUrl: environment.databaseUrl },
      testIgnore: [/extensions\.spec\.ts/, ...(environment.name === "sqlite" ? [] : pageSpecs)],
      // Tests tagged @rendering check what pages look like to a browser (axe, layout, CSP), which
      // the database does not change: they run against the SQLite server only.
      ...(environment.name === "sqlite" ? {} : { grepInvert: /@rendering/ }),
    })),
    // The deployer's extensions, on servers started with examples/team-apps/portcullis.config.ts.
    ...selected(extensionEnvironments).map((environment) => ({
      name: environment.name,
      use: { baseURL: environment.baseURL },
      metadata: { databaseUrl: environment.databaseUrl },
      testMatch: /extensions\.spec\.ts/,
    })),
  ],
  webServer: selected([...environments, ...extensionEnvironments]).map((environment) => ({
    // The server's log (JSON lines) stays beside its data, for reading after a failure (.ci/run
    // prints its errors).
    command: `npx tsx e2e/support/reset-database.ts "${environment.databaseUrl}" "${environment.dataDir}" && npm start > "${environment.dataDir}/server.log"`,
    url: `${environment.baseURL}/login`,
    env: serverEnv(environment),
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
  })),
});
