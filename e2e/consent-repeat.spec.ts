/**
 * The consent screen, answered many times in a row in one browser: Allow must lead back to the
 * client every time, with exactly one code per answer, whether it is clicked the moment the button
 * shows (before the page's JavaScript has hydrated the form) or after hydration. A remembered
 * consent must skip the screen on the very next request.
 */
import type { Page } from "@playwright/test";
import { expect, signIn, test } from "./support/fixtures";
import { codeFlowStart, registerClient, relyingParty } from "./support/oauth";

/** React marks each DOM node it has hydrated with its fiber. */
async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const button = [...document.querySelectorAll("button")].find((node) => node.textContent === "Allow");
    return button !== undefined && Object.keys(button).some((key) => key.startsWith("__reactFiber"));
  });
}

test.describe("consent, repeatedly", () => {
  test("twenty prompt=consent flows in a row, Allow clicked at once or after hydration: each one back at the client with its own single code", async ({
    page,
    baseURL,
    db,
    makeUser,
    clientApp,
  }, testInfo) => {
    // What is stored per flow (codes, consents) is the next test's and consent.spec's, on both databases.
    test.skip(
      testInfo.project.name !== "sqlite",
      "the consent page against hydration: a browser race, once, on SQLite",
    );
    test.setTimeout(240_000);
    const user = await makeUser();
    const registered = await registerClient(db, { name: "Busy App" });
    const config = await relyingParty(baseURL!, registered);
    await page.goto("/login");
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname === "/account");

    const flows = 20;
    for (let round = 0; round < flows; round++) {
      const flow = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, prompt: "consent" });
      const waitForHydration = round % 2 === 1;
      // "commit": click as soon as the button can be clicked, hydrated or not.
      await page.goto(flow.url.toString(), { waitUntil: waitForHydration ? "load" : "commit" });
      if (waitForHydration) await hydrated(page);
      await page.getByRole("button", { name: "Allow" }).click();
      await expect(page.getByText("Back at the client"), `round ${round}`).toBeVisible();
      await expect(page.getByRole("button", { name: "Allow" })).toHaveCount(0);
      const back = clientApp.last()!;
      expect(back.searchParams.get("state"), `round ${round}`).toBe(flow.state);
      expect(back.searchParams.get("code")).toMatch(/^pcc_/);
    }
    // One answer, one code: no answer was submitted twice.
    expect(await db.authorizationCode.count({ where: { applicationId: registered.id } })).toBe(flows);
  });

  test("Allow, then the next two requests of the same app go straight back: eight apps in a row", async ({
    page,
    baseURL,
    db,
    makeUser,
    clientApp,
  }) => {
    test.setTimeout(240_000);
    const user = await makeUser();
    await page.goto("/login");
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname === "/account");

    for (let app = 0; app < 8; app++) {
      const config = await relyingParty(baseURL!, await registerClient(db, { name: `Row App ${app}` }));
      for (let visit = 0; visit < 3; visit++) {
        const flow = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri });
        await page.goto(flow.url.toString(), { waitUntil: app % 2 === 0 ? "commit" : "load" });
        if (visit === 0) {
          if (app % 2 === 1) await hydrated(page);
          await page.getByRole("button", { name: "Allow" }).click();
        }
        await expect(page.getByText("Back at the client"), `app ${app}, visit ${visit}`).toBeVisible();
        expect(clientApp.last()!.searchParams.get("state"), `app ${app}, visit ${visit}`).toBe(flow.state);
      }
    }
  });

  test("a double click on Allow, once the page is hydrated, sends one answer; before hydration it still lands at the client", async ({
    page,
    baseURL,
    db,
    makeUser,
    clientApp,
  }) => {
    const user = await makeUser();
    const registered = await registerClient(db, { name: "Double Click" });
    const config = await relyingParty(baseURL!, registered);
    const codes = () => db.authorizationCode.count({ where: { applicationId: registered.id } });
    await page.goto("/login");
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => url.pathname === "/account");
    for (const waitForHydration of [false, true]) {
      const flow = await codeFlowStart(config, { redirect_uri: clientApp.redirectUri, prompt: "consent" });
      await page.goto(flow.url.toString(), { waitUntil: waitForHydration ? "load" : "commit" });
      if (waitForHydration) await hydrated(page);
      const before = await codes();
      await page.getByRole("button", { name: "Allow" }).dblclick();
      await expect(page.getByText("Back at the client")).toBeVisible();
      expect(clientApp.last()!.searchParams.get("state")).toBe(flow.state);
      // Before hydration the browser itself sends a second submission (the first one's code expires unused).
      if (waitForHydration) expect(await codes()).toBe(before + 1);
    }
  });
});
