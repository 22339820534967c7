/**
 * The deployer's extensions end to end, on servers started with examples/team-apps/portcullis.config.ts
 * (SQLite and PostgreSQL): custom fields through the dashboard, policy hooks through a real relying
 * party (openid-client).
 */
import { randomBytes } from "node:crypto";
import teamApps from "../examples/team-apps/portcullis.config.ts";
import { systemActor } from "../lib/audit/record.ts";
import { useExtensions } from "../lib/extensions/active.ts";
import { createUser } from "../lib/users/commands.ts";
import { expect, signInAsAdmin, test, uniqueName } from "./support/fixtures";
import {
  authorize,
  callback,
  client,
  codeFlowStart,
  registerClient,
  relyingParty,
  signedInSession,
} from "./support/oauth";

// Applications this spec registers directly are validated against the same config as the server's.
useExtensions(teamApps);

test.describe("deployer extensions (examples/team-apps)", () => {
  test("custom fields: the form shows and validates them, the list shows and filters them, History records them", async ({
    page,
  }) => {
    test.slow(); // one long walk through the dashboard
    const name = uniqueName("Payroll");
    await signInAsAdmin(page);
    await page.getByRole("link", { name: "New application" }).click();
    await expect(page.getByRole("heading", { name: "More settings" })).toBeVisible();
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
    await page.getByRole("checkbox", { name: "Refresh token" }).uncheck();
    await page.getByLabel("Redirect URIs", { exact: true }).fill(callback);
    await page.getByRole("checkbox", { name: "Internal" }).check();
    // Team is required: the error stands beside it.
    await page.getByRole("button", { name: "Create application" }).click();
    const team = page.getByRole("combobox", { name: "Team" });
    await expect(team).toHaveAttribute("aria-invalid", "true");
    await expect(team).toHaveAccessibleDescription(/Choose one of the options/);
    // The deployer's rule: internal apps are confidential.
    await page.getByLabel("Public", { exact: true }).check();
    await team.selectOption("payments");
    await page.getByRole("button", { name: "Create application" }).click();
    await expect(page.getByTestId("form-errors")).toContainText("Internal applications must be confidential");
    await page.getByLabel("Confidential").check();
    await page.getByRole("button", { name: "Create application" }).click();
    await expect(page.getByRole("heading", { name: `${name} is ready` })).toBeVisible();

    // The list: a Team column, and filters for Team and Internal.
    await page.goto("/admin/applications");
    await page.getByRole("combobox", { name: "Team" }).selectOption("payments");
    await page.getByRole("combobox", { name: "Internal" }).selectOption("yes");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/fields\.team=payments/);
    const row = page.getByTestId("application-row").filter({ hasText: name });
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId("column-fields.team")).toHaveText("Payments");
    await page.getByRole("combobox", { name: "Team" }).selectOption("search");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page.getByTestId("application-row").filter({ hasText: name })).toHaveCount(0);

    // Edit: the custom fields keep their values; a change is recorded with the field's label.
    await page.goto("/admin/applications?fields.team=payments");
    await page.getByRole("link", { name }).click();
    await expect(page.getByRole("heading", { name: "More settings" })).toBeVisible();
    await page.getByRole("link", { name: "Edit" }).click();
    await expect(page.getByRole("checkbox", { name: "Internal" })).toBeChecked();
    await page.getByRole("combobox", { name: "Team" }).selectOption("platform");
    await page.getByRole("button", { name: "Save changes" }).click();
    await expect(page.getByRole("heading", { name })).toBeVisible();
    await page.getByRole("link", { name: "History" }).click();
    await expect(page.getByTestId("audit-change").filter({ hasText: "Team:" })).toHaveText(
      "Team: from payments → to platform",
    );
  });

  test("mayAuthorize: an internal app refuses an outsider with access_denied and the reason; staff get a code and the team claim", async ({
    baseURL,
    db,
    makeUser,
  }) => {
    const registered = await registerClient(db, {
      "fields.team": "search",
      "fields.internal": true,
      skipAuthorization: true,
    });
    const rp = await relyingParty(baseURL!, registered);

    const outsiderEmail = `otto-${randomBytes(4).toString("hex")}@partner.test`;
    const created = await createUser(db, { email: outsiderEmail, password: "long-password-1" }, systemActor);
    expect(created.ok).toBe(true);
    const outsider = await signedInSession(baseURL!, outsiderEmail, "long-password-1");
    const refusedFlow = await codeFlowStart(rp);
    const refused = await authorize(outsider, refusedFlow.url);
    expect(refused.origin + refused.pathname).toBe(callback);
    expect(refused.searchParams.get("error")).toBe("access_denied");
    expect(refused.searchParams.get("error_description")).toMatch(/is for example\.com staff only$/);
    expect(refused.searchParams.get("state")).toBe(refusedFlow.state);

    const staff = await makeUser();
    const session = await signedInSession(baseURL!, staff.email, staff.password);
    const flow = await codeFlowStart(rp);
    const redirect = await authorize(session, flow.url);
    const tokens = await client.authorizationCodeGrant(rp, redirect, {
      pkceCodeVerifier: flow.verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
    });
    const claims = tokens.claims()!;
    expect(claims.team).toBe("search");
    expect(claims.email).toBe(staff.email);
    const userinfo = await client.fetchUserInfo(rp, tokens.access_token, claims.sub);
    expect(userinfo.team).toBe("search");
  });

  test("allowsGrantType: client credentials only for apps flagged as machine clients", async ({ baseURL, db }) => {
    const service = await registerClient(db, {
      grantTypes: ["client_credentials"],
      redirectUris: [],
      "fields.team": "platform",
    });
    await expect(client.clientCredentialsGrant(await relyingParty(baseURL!, service))).rejects.toMatchObject({
      error: "unauthorized_client",
    });
    const machine = await registerClient(db, {
      grantTypes: ["client_credentials"],
      redirectUris: [],
      "fields.team": "platform",
      "fields.machineClient": true,
    });
    const tokens = await client.clientCredentialsGrant(await relyingParty(baseURL!, machine));
    expect(tokens.access_token).toMatch(/^pca_/);
  });
});
