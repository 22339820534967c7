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
      testIgnore: /extensions\.spec\.ts/,
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
    command: `npx tsx e2e/support/reset-database.ts "${environment.databaseUrl}" "${environment.dataDir}" && npm start`,
    url: `${environment.baseURL}/login`,
    env: serverEnv(environment),
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
  })),
});
