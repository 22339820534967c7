/** Shared test fixtures: the project's database (for setting up users), sign-in, and axe. */
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Page } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { systemActor } from "../../lib/audit/record.ts";
import { connect, type Db } from "../../lib/db/client.ts";
import { parseDatabaseUrl } from "../../lib/db/url.ts";
import { createUser } from "../../lib/users/commands.ts";
import { admin } from "./environments.ts";
import { uniqueName } from "./names.ts";
import { startCallbackServer, type CallbackServer } from "./oauth.ts";

export { admin, expect };

export interface Account {
  email: string;
  password: string;
  id: string;
}

export const test = base.extend<
  {
    makeUser: (options?: { admin?: boolean }) => Promise<Account>;
    /** A relying party's callback server, for code flows in a browser. */
    clientApp: CallbackServer;
  },
  { db: Db }
>({
  db: [
    async ({}, use, workerInfo) => {
      const db = connect(parseDatabaseUrl(String(workerInfo.project.metadata.databaseUrl)));
      await use(db);
      await db.$disconnect();
    },
    { scope: "worker" },
  ],
  makeUser: async ({ db }, use) => {
    await use(async (options = {}) => {
      const email = `user-${randomBytes(4).toString("hex")}@example.com`;
      const password = `pw-${randomBytes(8).toString("hex")}`;
      const result = await createUser(
        db,
        { email, password, name: "Test User", admin: options.admin ?? false },
        systemActor,
      );
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      return { email, password, id: result.user.id };
    });
  },
  clientApp: async ({}, use) => {
    const server = await startCallbackServer();
    await use(server);
    await server.close();
  },
});

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signInAsAdmin(page: Page, path = "/admin/applications"): Promise<void> {
  await page.goto(path);
  await signIn(page, admin.email, admin.password);
  await page.waitForURL((url) => url.pathname === path);
}

/** Serious and critical axe violations on the current page (WCAG 2.1 A/AA rules). */
export async function seriousA11yViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => ({
      id: violation.id,
      help: violation.help,
      nodes: violation.nodes.map((node) => node.target.join(" ")),
    }));
}

/** How far the page scrolls sideways: 0 when it fits its viewport. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/**
 * Opens `path` at `width` px (after `ready`, e.g. waiting for a chart or opening a table) and
 * expects no serious axe violation and no sideways scrolling.
 */
export async function expectAccessibleAndFitting(
  page: Page,
  path: string,
  width: number,
  ready: () => Promise<void> = async () => {},
): Promise<void> {
  await page.setViewportSize({ width, height: 800 });
  await page.goto(path);
  await ready();
  expect({ path, width, violations: await seriousA11yViolations(page) }).toEqual({ path, width, violations: [] });
  expect({ path, width, overflow: await horizontalOverflow(page) }).toEqual({ path, width, overflow: 0 });
}

export { uniqueName };
