/**
 * Managing users from the dashboard (issue 14): editing a profile conditionally, setting a password,
 * one-time reset links and their public page, deleting, sorting the list and disabling in bulk, with
 * and without JavaScript, and the new pages' accessibility at phone width.
 */
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "@playwright/test";
import { systemActor } from "../lib/audit/record.ts";
import { startSession } from "../lib/sessions/commands.ts";
import { updateUserProfile } from "../lib/users/commands.ts";
import { issuePasswordResetLink } from "../lib/users/password-reset.ts";
import {
  admin,
  expect,
  seriousA11yViolations,
  signIn,
  signInAsAdmin,
  test,
  horizontalOverflow,
} from "./support/fixtures";

const toast = (page: Page, text: string | RegExp) => page.getByTestId("toast").filter({ hasText: text });
const lifetimes = { maxAge: 3600, idleTimeout: 1800 };

/** Signs in as the admin and opens `path` (query included: the sign-in itself returns to its page). */
async function adminAt(page: Page, path: string) {
  const url = new URL(path, "http://x.invalid");
  await signInAsAdmin(page, url.pathname);
  if (url.search) await page.goto(path);
}

/** An admin's browser without JavaScript: every form must work as a plain POST. */
async function adminWithoutJavaScript(browser: Browser, baseURL: string, path: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(path);
  await signIn(page, admin.email, admin.password);
  await page.waitForURL((url) => url.pathname === path);
  return page;
}

const tag = () => `mg${randomBytes(3).toString("hex")}`;

test.describe("managing users", () => {
  test("an admin edits name and email; a taken email is a field error; a change meanwhile is a conflict", async ({
    page,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    const other = await makeUser();
    await signInAsAdmin(page, `/admin/users/${user.id}`);
    const profile = page.getByRole("form", { name: "Profile" });
    const email = profile.getByRole("textbox", { name: "Email" });
    const name = profile.getByRole("textbox", { name: "Name" });

    await email.fill(other.email.toUpperCase());
    await profile.getByRole("button", { name: "Save profile" }).click();
    await expect(profile.getByText("Another user already has this email")).toBeVisible();
    await expect(email).toHaveAttribute("aria-invalid", "true");
    expect((await db.user.findUnique({ where: { id: user.id } }))!.email).toBe(user.email);

    // Meanwhile another admin renames the user; this page's save is refused with what changed.
    const seen = (await db.user.findUnique({ where: { id: user.id } }))!;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await updateUserProfile(db, user.id, { email: user.email, name: "Renamed elsewhere" }, systemActor, {
      expectedVersion: seen.updatedAt,
    });
    const newEmail = `edited-${tag()}@example.com`;
    await email.fill(newEmail);
    await name.fill("Edited Here");
    await profile.getByRole("button", { name: "Save profile" }).click();
    const conflict = page.getByTestId("edit-conflict");
    await expect(conflict).toBeFocused();
    await expect(conflict).toContainText("This user changed after you opened this page");
    await expect(conflict).toContainText("Changed meanwhile: Name");
    expect((await db.user.findUnique({ where: { id: user.id } }))!.name).toBe("Renamed elsewhere");

    await conflict.getByRole("button", { name: "Overwrite with my changes" }).click();
    await expect(toast(page, `Saved ${newEmail}`)).toBeVisible();
    await expect(page.getByTestId("profile-saved")).toHaveText(`Saved ${newEmail}`);
    // The form now shows, and is conditional on, what was saved.
    await expect(email).toHaveValue(newEmail);
    await expect(page.getByTestId("edit-conflict")).toHaveCount(0);
    expect(await db.user.findUnique({ where: { id: user.id } })).toMatchObject({
      email: newEmail,
      name: "Edited Here",
    });
    const entry = await db.auditEvent.findFirst({
      where: { targetUserId: user.id, action: "user.updated" },
      orderBy: { createdAt: "desc" },
    });
    expect(JSON.parse(entry!.details).changes).toMatchObject({
      email: { from: user.email, to: newEmail },
      name: { from: "Renamed elsewhere", to: "Edited Here" },
    });
  });

  test("an admin sets a new password: the user is signed out everywhere and the new one works", async ({
    page,
    browser,
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    await startSession(db, user.id, { userAgent: "other browser", ip: null }, lifetimes);
    await signInAsAdmin(page, `/admin/users/${user.id}`);
    const form = page.getByRole("form", { name: "Set a new password" });
    await expect(form).toContainText("signed out everywhere");
    await form.getByLabel(/^New password( \*)?$/).fill("short");
    await form.getByLabel(/^New password again/).fill("short");
    await form.getByRole("button", { name: "Set password" }).click();
    await expect(form.getByText("Must be at least 8 characters")).toBeVisible();

    await form.getByLabel(/^New password( \*)?$/).fill("admin-chosen-password");
    await form.getByLabel(/^New password again/).fill("admin-chosen-password");
    await form.getByRole("button", { name: "Set password" }).click();
    await expect(form.getByTestId("password-set")).toContainText(`New password set for ${user.email}: 1 session ended`);
    expect(await db.session.count({ where: { userId: user.id, revokedAt: null } })).toBe(0);

    const theirs = await (await browser.newContext({ baseURL })).newPage();
    await theirs.goto("/login");
    await signIn(theirs, user.email, "admin-chosen-password");
    await theirs.waitForURL((url) => url.pathname === "/account");
  });

  test("a one-time reset link: copied by the admin, used once in a browser without JavaScript, then refused", async ({
    page,
    browser,
    baseURL,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    await signInAsAdmin(page, `/admin/users/${user.id}`);
    const links = page.getByRole("form", { name: "Password reset link" });
    await links.getByRole("button", { name: "Issue a reset link" }).click();
    const first = await links.getByTestId("reset-link-url").textContent();
    await links.getByRole("button", { name: "Issue another link" }).click();
    await expect(links.getByTestId("reset-link-url")).not.toHaveText(first!);
    const url = (await links.getByTestId("reset-link-url").textContent())!;
    expect(url).toMatch(/\/reset-password\?token=pcp_[\w-]{43}$/);
    await expect(links.getByRole("button", { name: "Copy reset link" })).toBeVisible();
    // Only the digest is stored.
    const token = new URL(url).searchParams.get("token")!;
    const rows = await db.passwordResetToken.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).not.toContain(token);

    const context = await browser.newContext({ baseURL, javaScriptEnabled: false });
    const theirs = await context.newPage();
    // The older link was replaced.
    await theirs.goto(first!);
    await expect(theirs.getByTestId("reset-problem")).toContainText("not valid");

    await theirs.goto(url);
    await expect(theirs.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
    await expect(theirs.getByText(user.email)).toBeVisible();
    await theirs.getByLabel("New password", { exact: true }).fill("my-own-new-password");
    await theirs.getByLabel("New password again").fill("something else");
    await theirs.getByRole("button", { name: "Set password" }).click();
    await expect(theirs.getByText("The two passwords don't match")).toBeVisible();
    await theirs.getByLabel("New password", { exact: true }).fill("my-own-new-password");
    await theirs.getByLabel("New password again").fill("my-own-new-password");
    await theirs.getByRole("button", { name: "Set password" }).click();
    await theirs.waitForURL((address) => address.pathname === "/login");
    await signIn(theirs, user.email, "my-own-new-password");
    await theirs.waitForURL((address) => address.pathname === "/account");

    // Used: the link is refused, and the password stays.
    await theirs.goto(url);
    await expect(theirs.getByTestId("reset-problem")).toContainText("already been used");
    await expect(theirs.getByRole("button", { name: "Set password" })).toHaveCount(0);
    expect(await db.auditEvent.count({ where: { targetUserId: user.id, action: "user.password_reset_by_link" } })).toBe(
      1,
    );

    // A form posted from another site is refused.
    const forged = await theirs.request.post("/reset-password/set", {
      form: { token, password: "forged-password-1", confirmPassword: "forged-password-1" },
      headers: { origin: "https://evil.example" },
    });
    expect(forged.status()).toBe(403);
  });

  test("expired and unknown links say so, and never which accounts exist", async ({ page, db, makeUser }) => {
    const user = await makeUser();
    const issued = await issuePasswordResetLink(db, user.id, systemActor, {
      publicUrl: "http://localhost",
      lifetimeSeconds: 60,
      now: new Date(Date.now() - 3600_000),
    });
    if (!issued.ok) throw new Error("not issued");
    await page.goto(`/reset-password${new URL(issued.link.url).search}`);
    await expect(page.getByTestId("reset-problem")).toContainText("This password reset link has expired");
    await expect(page.getByText(user.email)).toHaveCount(0);
    for (const search of ["", "?token=", `?token=pcp_${"x".repeat(43)}`, "?token=%00"]) {
      await page.goto(`/reset-password${search}`);
      await expect(page.getByTestId("reset-problem")).toContainText("This password reset link is not valid");
    }
  });

  test("an admin deletes a user behind a confirmation; their sessions, consents and tokens go too; not themself", async ({
    page,
    db,
    makeUser,
  }) => {
    const user = await makeUser();
    await startSession(db, user.id, { userAgent: "doomed", ip: null }, lifetimes);
    await signInAsAdmin(page, `/admin/users/${user.id}`);
    await page.getByRole("button", { name: "Delete user" }).click();
    const dialog = page.getByRole("dialog", { name: `Delete ${user.email}?` });
    await expect(dialog).toContainText("This cannot be undone");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();
    expect(await db.user.count({ where: { id: user.id } })).toBe(1);

    await page.getByRole("button", { name: "Delete user" }).click();
    await dialog.getByRole("button", { name: "Delete user" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/users");
    await expect(toast(page, `Deleted ${user.email}`)).toBeVisible();
    expect(await db.user.count({ where: { id: user.id } })).toBe(0);
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.auditEvent.count({ where: { targetUserId: user.id, action: "user.deleted" } })).toBe(1);

    const self = await db.user.findUnique({ where: { email: admin.email } });
    await page.goto(`/admin/users/${self!.id}`);
    await expect(page.getByText("You cannot delete your own account.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Delete user" })).toHaveCount(0);
  });

  test("the list sorts by email, name, creation and last sign-in, both ways, keeping the search in the URL", async ({
    page,
    db,
  }) => {
    const prefix = tag();
    for (const [letter, name, signedIn] of [
      ["b", "Charlie", "2026-01-02T00:00:00Z"],
      ["c", "Alpha", null],
      ["a", "Bravo", "2026-01-03T00:00:00Z"],
    ] as const) {
      await db.user.create({
        data: {
          email: `${prefix}-${letter}@example.com`,
          name,
          passwordHash: "x",
          lastSignInAt: signedIn ? new Date(signedIn) : null,
        },
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await adminAt(page, `/admin/users?q=${prefix}`);
    const order = async () =>
      (await page.getByTestId("user-row").getByRole("link").allTextContents()).map((email) => email[prefix.length + 1]);
    expect(await order()).toEqual(["a", "b", "c"]);

    await page.getByTestId("sort-name").click();
    await expect(page).toHaveURL(new RegExp(`q=${prefix}.*sort=name&dir=asc`));
    expect(await order()).toEqual(["c", "a", "b"]);
    await expect(page.getByRole("columnheader", { name: /Email.*Name/ })).toHaveAttribute("aria-sort", "ascending");
    await page.getByTestId("sort-name").click();
    await expect(page).toHaveURL(/sort=name&dir=desc/);
    expect(await order()).toEqual(["b", "a", "c"]);

    await page.getByTestId("sort-lastSignIn").click();
    await expect(page).toHaveURL(/sort=lastSignIn&dir=asc/);
    expect(await order()).toEqual(["b", "a", "c"]);
    await page.getByTestId("sort-lastSignIn").click();
    await expect(page).toHaveURL(/sort=lastSignIn&dir=desc/);
    expect(await order()).toEqual(["a", "b", "c"]);
    await page.getByTestId("sort-created").click();
    await expect(page).toHaveURL(/sort=created&dir=asc/);
    expect(await order()).toEqual(["b", "c", "a"]);

    // At phone width the columns hide; the sort select in the filter form does the same.
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(`/admin/users?q=${prefix}`);
    await page.getByLabel("Sort by").selectOption("created");
    await page.getByLabel("Order").selectOption("desc");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/sort=created&dir=desc/);
    expect(await order()).toEqual(["a", "c", "b"]);
  });

  test("bulk disable: tick users, confirm, each disabled and audited; the admin's own account is skipped", async ({
    page,
    db,
    makeUser,
  }) => {
    const first = await makeUser();
    const second = await makeUser();
    const kept = await makeUser();
    await startSession(db, first.id, { userAgent: "first", ip: null }, lifetimes);
    await signInAsAdmin(page, "/admin/users");
    for (const user of [first, second]) {
      await page.goto(`/admin/users?q=${encodeURIComponent(user.email)}`);
      // Each search shows one row; tick boxes survive only within a page, so do one at a time.
      await page.getByRole("checkbox", { name: `Select ${user.email}` }).check();
      await page.getByRole("button", { name: "Disable selected" }).click();
      const dialog = page.getByRole("dialog", { name: "Disable the selected users?" });
      await dialog.getByRole("button", { name: "Disable users" }).click();
      await expect(page.getByTestId("bulk-result")).toContainText("Disabled 1 user");
    }
    expect(
      await db.user.findMany({
        where: { id: { in: [first.id, second.id, kept.id] } },
        select: { id: true, disabled: true },
      }),
    ).toEqual(
      expect.arrayContaining([
        { id: first.id, disabled: true },
        { id: second.id, disabled: true },
        { id: kept.id, disabled: false },
      ]),
    );
    expect(await db.session.count({ where: { userId: first.id, revokedAt: null } })).toBe(0);
    expect(
      await db.auditEvent.count({ where: { targetUserId: { in: [first.id, second.id] }, action: "user.disabled" } }),
    ).toBe(2);

    // Several at once, and the admin among them.
    const prefix = tag();
    const many = [];
    for (const letter of ["a", "b"]) {
      many.push(
        await db.user.create({
          data: { email: `${prefix}-${letter}@example.com`, passwordHash: "x" },
          select: { id: true },
        }),
      );
    }
    await page.goto(`/admin/users?q=${prefix}`);
    for (const box of await page.getByRole("checkbox", { name: /^Select / }).all()) await box.check();
    await page.getByRole("button", { name: "Disable selected" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Disable users" }).click();
    await expect(page.getByTestId("bulk-result")).toContainText("Disabled 2 users");
    await expect(page.getByTestId("user-row").filter({ hasText: "Disabled" })).toHaveCount(2);

    await page.goto(`/admin/users?q=${encodeURIComponent(admin.email)}`);
    await page.getByRole("checkbox", { name: `Select ${admin.email}` }).check();
    await page.getByRole("button", { name: "Disable selected" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Disable users" }).click();
    await expect(page.getByTestId("bulk-result")).toContainText("Your own account was skipped");
    expect((await db.user.findUnique({ where: { email: admin.email } }))!.disabled).toBe(false);
  });

  test("bulk disable and delete work as plain POSTs without JavaScript", async ({ browser, baseURL, db, makeUser }) => {
    const target = await makeUser();
    const doomed = await makeUser();
    const page = await adminWithoutJavaScript(browser, baseURL!, `/admin/users`);
    await page.goto(`/admin/users?q=${encodeURIComponent(target.email)}`);
    await page.getByRole("checkbox", { name: `Select ${target.email}` }).check();
    await page.getByRole("button", { name: "Disable selected" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Disable users" }).click();
    await expect(page.getByTestId("bulk-result")).toContainText("Disabled 1 user");
    expect((await db.user.findUnique({ where: { id: target.id } }))!.disabled).toBe(true);

    await page.goto(`/admin/users/${doomed.id}`);
    await page.getByRole("button", { name: "Delete user" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete user" }).click();
    await page.waitForURL((url) => url.pathname === "/admin/users");
    expect(await db.user.count({ where: { id: doomed.id } })).toBe(0);
  });

  test(
    "the user pages, the reset page and their dialogs are axe-clean and fit a 390 px phone",
    { tag: "@rendering" },
    async ({ page, db, makeUser }) => {
      // Seven axe scans, all at 390 px.
      test.setTimeout(120_000);
      const user = await makeUser();
      await db.user.update({
        where: { id: user.id },
        data: {
          name: "A Person With Quite A Long Name Indeed",
          email: `long.address.for.${tag()}@subdomain.example.com`,
        },
      });
      const issued = await issuePasswordResetLink(db, user.id, systemActor, {
        publicUrl: "http://localhost",
        lifetimeSeconds: 3600,
      });
      if (!issued.ok) throw new Error("not issued");
      await signInAsAdmin(page, "/admin/users");
      // At 390 px only: wider, the list adds its Last sign-in and Created columns and the header the
      // admin's email, which account-and-users scans at 1280 px.
      await page.setViewportSize({ width: 390, height: 800 });
      for (const path of [
        "/admin/users?sort=name&dir=desc",
        `/admin/users/${user.id}`,
        `/reset-password${new URL(issued.link.url).search}`,
        "/reset-password?token=nothing",
      ]) {
        await page.goto(path);
        await expect(page.locator("h1")).toBeVisible();
        expect({ path, violations: await seriousA11yViolations(page) }).toEqual({ path, violations: [] });
        expect({ path, overflow: await horizontalOverflow(page) }).toEqual({ path, overflow: 0 });
      }
      // With a link issued and the dialogs open.
      await page.goto(`/admin/users/${user.id}`);
      await page.getByRole("button", { name: "Issue a reset link" }).click();
      await expect(page.getByTestId("reset-link")).toBeVisible();
      expect(await seriousA11yViolations(page)).toEqual([]);
      expect(await horizontalOverflow(page)).toBe(0);
      await page.getByRole("button", { name: "Delete user" }).click();
      await expect(page.getByRole("dialog")).toBeVisible();
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.goto("/admin/users");
      await page.getByRole("button", { name: "Disable selected" }).click();
      await expect(page.getByRole("dialog")).toBeVisible();
      expect(await seriousA11yViolations(page)).toEqual([]);
    },
  );
});
