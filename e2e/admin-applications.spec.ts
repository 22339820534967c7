import { createApplication } from "../lib/applications/commands.ts";
import { systemActor } from "../lib/audit/record.ts";
import { admin, expect, signIn, signInAsAdmin, test, uniqueName, expectAccessibleAndFitting } from "./support/fixtures";

test.describe("admin dashboard: applications", () => {
  test("sign in, create with two grant types, list, trust, edit, rotate secret, delete", async ({ page }) => {
    test.setTimeout(120_000);
    const name = uniqueName("Inventory");
    await signInAsAdmin(page);

    // Create: two grant types ticked, secret shown once with copy buttons.
    await page.getByRole("link", { name: "New application" }).click();
    await expect(page).toHaveURL(/\/admin\/applications\/new$/);
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
    await page.getByLabel("Confidential").check();
    await page.getByRole("checkbox", { name: "Authorization code" }).check();
    await page.getByRole("checkbox", { name: "Client credentials" }).check();
    await page.getByRole("checkbox", { name: "Refresh token" }).uncheck();
    await page
      .getByLabel("Redirect URIs", { exact: true })
      .fill("https://inventory.example.com/callback\nhttp://127.0.0.1/callback");
    await page.getByRole("button", { name: "Create application" }).click();

    await expect(page.getByRole("heading", { name: `${name} is ready` })).toBeVisible();
    await expect(page.getByText("won't be shown again")).toBeVisible();
    await expect(page.getByRole("button", { name: "Copy client secret" })).toBeVisible();
    const clientId = (await page.getByTestId("issued-client-id").textContent())!;
    const secret = (await page.getByTestId("issued-client-secret").textContent())!;
    expect(secret).toMatch(/^pcs_[0-9a-z]{8}[A-Za-z0-9_-]{43}$/);

    // The list shows it with both grant types; search by client id finds it.
    await page.goto(`/admin/applications?q=${encodeURIComponent(clientId)}`);
    const row = page.getByTestId("application-row").filter({ hasText: name });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("Authorization code");
    await expect(row).toContainText("Client credentials");

    // Trust toggle saves at once and survives a reload.
    const trust = page.getByRole("switch", { name: `Trusted: ${name}` });
    await expect(trust).toHaveAttribute("aria-checked", "false");
    await trust.click();
    await expect(page.getByTestId("toast").filter({ hasText: "is trusted" })).toBeVisible();
    await page.reload();
    await expect(page.getByRole("switch", { name: `Trusted: ${name}` })).toHaveAttribute("aria-checked", "true");
    await page.goto("/admin/applications?trusted=yes");
    await expect(page.getByTestId("application-row").filter({ hasText: name })).toHaveCount(1);

    // Edit: a bad redirect URI is refused next to its field, then a good edit saves.
    await page.goto(`/admin/applications?q=${encodeURIComponent(clientId)}`);
    await page.getByRole("link", { name }).click();
    await expect(page.getByRole("heading", { name })).toBeVisible();
    await page.getByRole("link", { name: "Edit" }).click();
    await page.getByLabel("Redirect URIs", { exact: true }).fill("http://evil.example.com/cb");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.locator("#field-redirectUris-error")).toContainText("http://evil.example.com/cb: must use https");
    await expect(page.getByLabel("Redirect URIs", { exact: true })).toHaveAttribute("aria-invalid", "true");
    const renamed = `${name} v2`;
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(renamed);
    await page.getByLabel("Redirect URIs", { exact: true }).fill("https://inventory.example.com/v2/callback");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("heading", { name: renamed })).toBeVisible();
    await expect(page.getByTestId("toast").filter({ hasText: `Saved ${renamed}` })).toBeVisible();
    await expect(page.getByText("https://inventory.example.com/v2/callback")).toBeVisible();

    // Rotate: a new secret appears once; the hint changes to the new secret's last four.
    await page.getByRole("button", { name: "Rotate secret" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Rotate secret" }).click();
    await expect(page.getByRole("heading", { name: `New secret for ${renamed}` })).toBeVisible();
    const rotated = (await page.getByTestId("issued-client-secret").textContent())!;
    expect(rotated).toMatch(/^pcs_/);
    expect(rotated).not.toBe(secret);
    await page.reload();
    await expect(page.getByTestId("secret-shown-already")).toBeVisible();
    await expect(page.getByText(rotated)).toHaveCount(0);
    await page.getByRole("link", { name: `Go to ${renamed}` }).click();
    await expect(page.getByTestId("secret-hint")).toHaveText(`…${rotated.slice(-4)}`);

    // Delete behind a confirmation that names the app.
    await page.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: `Delete ${renamed}?` });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: `Delete ${renamed}` }).click();
    await page.waitForURL("**/admin/applications");
    await expect(page.getByTestId("toast").filter({ hasText: `Deleted ${renamed}` })).toBeVisible();
    await page.goto(`/admin/applications?q=${encodeURIComponent(clientId)}`);
    await expect(page.getByText("No applications match")).toBeVisible();
  });

  test("a scope the server stopped offering stays on the edit form, and saving never drops it unseen", async ({
    page,
    db,
  }) => {
    const name = uniqueName("Orders");
    const created = await createApplication(
      db,
      {
        name,
        clientType: "confidential",
        grantTypes: ["client_credentials"],
        allowedScopes: ["read"],
      },
      systemActor,
    );
    if (!created.ok) throw new Error(JSON.stringify(created.errors));
    const id = created.application.id;
    // As if PORTCULLIS_SCOPES had offered orders:read when the app was registered, and no longer does.
    await db.applicationScope.create({ data: { applicationId: id, scope: "orders:read" } });

    await signInAsAdmin(page, `/admin/applications/${id}/edit`);
    const stale = page.getByRole("checkbox", { name: "orders:read" });
    await expect(stale).toBeChecked();
    await expect(stale).toHaveAccessibleDescription(/Not in the scope catalogue any more/);
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.locator("#field-allowedScopes-error")).toContainText(
      '"orders:read" is not a scope this server offers: remove it, or add it to the scope catalogue (Admin › Scopes)',
    );
    const scopesOf = async () =>
      (await db.applicationScope.findMany({ where: { applicationId: id } })).map((row) => row.scope).sort();
    expect(await scopesOf()).toEqual(["orders:read", "read"]);

    await page.getByRole("checkbox", { name: "orders:read" }).uncheck();
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByTestId("toast").filter({ hasText: `Saved ${name}` })).toBeVisible();
    expect(await scopesOf()).toEqual(["read"]);
  });

  test("the list pages forwards and back, with first and last links", async ({ page, db }) => {
    const prefix = uniqueName("Paged").replace(" ", "-");
    await db.application.createMany({
      data: Array.from({ length: 60 }, (_, i) => ({
        clientId: `${prefix}-${String(i).padStart(2, "0")}`,
        name: `${prefix} ${String(i).padStart(2, "0")}`,
        clientType: "PUBLIC" as const,
      })),
    });
    await signInAsAdmin(page, `/admin/applications`);
    await page.goto(`/admin/applications?q=${prefix}&sort=name`);
    const nav = page.getByRole("navigation", { name: "Pagination" });
    await expect(nav).toContainText("Showing 1–25 of 60");
    await expect(nav).toContainText("Page 1 of 3");
    await expect(nav.getByRole("link", { name: "First" })).toHaveCount(0);
    await expect(nav.getByRole("link", { name: "Previous" })).toHaveCount(0);

    await nav.getByRole("link", { name: "Last" }).click();
    await expect(nav).toContainText("Page 3 of 3");
    await expect(nav).toContainText("Showing 51–60 of 60");
    await expect(page.getByTestId("application-row").first()).toContainText(`${prefix} 50`);
    await expect(nav.getByRole("link", { name: "Next" })).toHaveCount(0);
    await expect(nav.getByRole("link", { name: "Last" })).toHaveCount(0);

    await nav.getByRole("link", { name: "Previous" }).click();
    await expect(nav).toContainText("Page 2 of 3");
    await nav.getByRole("link", { name: "Next" }).click();
    await expect(nav).toContainText("Page 3 of 3");
    await nav.getByRole("link", { name: "First" }).click();
    await expect(nav).toContainText("Page 1 of 3");
    await expect(page.getByTestId("application-row").first()).toContainText(`${prefix} 00`);
  });

  test("an address holding NUL gets 400, not a database error", async ({ page }) => {
    await signInAsAdmin(page);
    for (const path of [
      "/admin/applications/%00",
      "/admin/applications/%00/edit",
      "/admin/applications?q=a%00b",
      "/admin/users?q=%00",
      "/admin/audit?actor=%00",
      "/account?x=%00",
    ]) {
      const response = await page.goto(path);
      expect({ path, status: response?.status() }).toEqual({ path, status: 400 });
    }
    // Text that only spells a percent sign is ordinary search text.
    expect((await page.goto("/admin/applications?q=%2500"))?.status()).toBe(200);
  });

  test("wrong credentials get one message that does not say which part was wrong", async ({ page }) => {
    await page.goto("/login");
    await signIn(page, admin.email, "not-the-password");
    await expect(page.getByTestId("sign-in-error")).toHaveText("That email and password don't match an account.");
    await signIn(page, "nobody@example.com", admin.password);
    await expect(page.getByTestId("sign-in-error")).toHaveText("That email and password don't match an account.");
  });

  test("anonymous visitors are sent to sign in and come back", async ({ page }) => {
    await page.goto("/admin/applications/new");
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fadmin%2Fapplications%2Fnew/);
    await signIn(page, admin.email, admin.password);
    await expect(page).toHaveURL(/\/admin\/applications\/new$/);
  });

  test("a signed-in user who is not an admin gets a 403 page", async ({ page, makeUser }) => {
    const user = await makeUser();
    await page.goto("/login");
    await signIn(page, user.email, user.password);
    await page.waitForURL((url) => !url.pathname.startsWith("/login"));
    const response = await page.goto("/admin/applications");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
  });

  test("sign out ends the session", async ({ page }) => {
    await signInAsAdmin(page);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
    await page.goto("/admin/applications");
    await expect(page).toHaveURL(/\/login/);
  });

  test(
    "admin pages have no serious accessibility violations and no sideways scrolling at 375 px; the list at 1280 px too",
    { tag: "@rendering" },
    async ({ page, db }) => {
      // Six axe runs (~2 s each alone, up to ~6 s each while both workers share two cores): each page at
      // 375 px, and the list once at 1280 px, where its Type, Grant types and Created columns (sm to lg)
      // and the admin header's email (sm) show.
      test.setTimeout(120_000);
      const created = await createApplication(
        db,
        {
          name: uniqueName("A11y"),
          clientType: "confidential",
          grantTypes: ["authorization_code"],
          redirectUris: "https://a11y.example.com/cb",
        },
        systemActor,
      );
      if (!created.ok) throw new Error(JSON.stringify(created.errors));
      const id = created.application.id;
      await page.setViewportSize({ width: 375, height: 800 });
      await signInAsAdmin(page);
      const visits: [string, number][] = [
        ["/admin/applications", 375],
        ["/admin/applications/new", 375],
        [`/admin/applications/${id}`, 375],
        [`/admin/applications/${id}/edit`, 375],
        ["/login?switch=1", 375],
        ["/admin/applications", 1280],
      ];
      for (const [path, width] of visits) await expectAccessibleAndFitting(page, path, width);
    },
  );
});
