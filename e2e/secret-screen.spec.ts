/**
 * The one-time secret screen at /admin/applications/[id]/secret: reached by a 303 after the POST
 * that issued the secret, shown once; a reload, the back button or a later visit says it was shown
 * already and offers to rotate. The secret is never in a URL, and after the first view it is
 * nowhere but the admin's screen (only its hash is stored).
 */
import type { Page } from "@playwright/test";
import { expect, seriousA11yViolations, signInAsAdmin, test, uniqueName } from "./support/fixtures";

async function createMachineApp(page: Page, name: string): Promise<void> {
  await page.goto("/admin/applications/new?preset=machine");
  await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
  await page.getByRole("button", { name: "Create application" }).click();
}

test.describe("the one-time secret screen", () => {
  test("shown once at its own address; reload, back and a later visit say it was shown; rotate from there", async ({
    page,
    db,
  }) => {
    const urls: string[] = [];
    page.on("request", (request) => urls.push(request.url()));
    const name = uniqueName("Once Only");
    await signInAsAdmin(page, "/admin/applications/new");
    await createMachineApp(page, name);
    await expect(page.getByRole("heading", { name: `${name} is ready` })).toBeVisible();
    const app = await db.application.findFirstOrThrow({ where: { name } });
    await expect(page).toHaveURL(new RegExp(`/admin/applications/${app.id}/secret$`));
    const secret = (await page.getByTestId("issued-client-secret").textContent())!;
    expect(secret).toMatch(/^pcs_/);
    // Taken on its first view: nothing is left to show again.
    expect(await db.secretHandoff.count({ where: { applicationId: app.id } })).toBe(0);

    await page.reload();
    await expect(page.getByTestId("secret-shown-already")).toContainText(
      `The client secret of ${name} was shown already`,
    );
    await expect(page.getByText(secret)).toHaveCount(0);

    // Away and back with the browser's history: whatever page back lands on, the secret is not on it.
    await page.getByRole("link", { name: `Go to ${name}` }).click();
    await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
    await page.goBack();
    await page.waitForLoadState();
    await expect(page.getByText(secret)).toHaveCount(0);
    // Back to the screen itself (a full load, then the app, then back): shown already.
    await page.goto(`/admin/applications/${app.id}/secret`);
    await page.goto(`/admin/applications/${app.id}`);
    await page.goBack();
    await expect(page).toHaveURL(new RegExp(`/admin/applications/${app.id}/secret$`));
    await expect(page.getByTestId("secret-shown-already")).toBeVisible();
    await expect(page.getByText(secret)).toHaveCount(0);

    // Rotating from the screen shows the new one, once.
    await page.getByRole("button", { name: "Rotate secret" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Rotate secret" }).click();
    await expect(page.getByRole("heading", { name: `New secret for ${name}` })).toBeVisible();
    const rotated = (await page.getByTestId("issued-client-secret").textContent())!;
    expect(rotated).toMatch(/^pcs_/);
    expect(rotated).not.toBe(secret);
    await page.goto(`/admin/applications/${app.id}/secret`);
    await expect(page.getByTestId("secret-shown-already")).toContainText(`…${rotated.slice(-4)}`);

    for (const url of urls) {
      expect(url).not.toContain(secret);
      expect(url).not.toContain(rotated);
    }
  });

  test("works without JavaScript: create and rotate answer 303 to the screen", async ({ browser, baseURL, db }) => {
    const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
    const page = await context.newPage();
    const statuses: number[] = [];
    page.on("response", (response) => {
      if (response.request().method() === "POST") statuses.push(response.status());
    });
    const name = uniqueName("No Script");
    await signInAsAdmin(page, "/admin/applications/new");
    await createMachineApp(page, name);
    await expect(page.getByRole("heading", { name: `${name} is ready` })).toBeVisible();
    const secret = (await page.getByTestId("issued-client-secret").textContent())!;
    expect(statuses.at(-1)).toBe(303);
    const app = await db.application.findFirstOrThrow({ where: { name } });
    await expect(page).toHaveURL(new RegExp(`/admin/applications/${app.id}/secret$`));
    await page.reload();
    await expect(page.getByTestId("secret-shown-already")).toBeVisible();
    // The confirmation is a native dialog opened by an invoker command: without script, submit its form.
    await page.locator("dialog form").evaluate((form: HTMLFormElement) => form.requestSubmit());
    await expect(page.getByRole("heading", { name: `New secret for ${name}` })).toBeVisible();
    expect(statuses.at(-1)).toBe(303);
    expect(await page.getByTestId("issued-client-secret").textContent()).not.toBe(secret);
    await context.close();
  });

  test(
    "the screen is accessible and fits a phone, shown and shown already",
    { tag: "@rendering" },
    async ({ page }) => {
      const name = uniqueName("Rendered secret for a reasonably long application name");
      await signInAsAdmin(page, "/admin/applications/new");
      await page.setViewportSize({ width: 390, height: 844 });
      await createMachineApp(page, name);
      await expect(page.getByTestId("issued-client-secret")).toBeVisible();
      for (const state of ["shown", "shown already"]) {
        if (state === "shown already") {
          await page.reload();
          await expect(page.getByTestId("secret-shown-already")).toBeVisible();
        }
        expect({ state, violations: await seriousA11yViolations(page) }).toEqual({ state, violations: [] });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect({ state, overflow }).toEqual({ state, overflow: 0 });
      }
    },
  );
});
