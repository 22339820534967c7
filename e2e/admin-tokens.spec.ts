/** An admin sees what an application holds and takes it back: one token, or all of them. */
import type { Db } from "../lib/db/client.ts";
import { generateCredential, hashCredential } from "../lib/oauth/secrets.ts";
import { expect, seriousA11yViolations, signInAsAdmin, test } from "./support/fixtures";
import { authorize, client, codeFlowStart, registerClient, relyingParty, signedInSession } from "./support/oauth";

test("an admin revokes one token, then all tokens of an application", async ({ page, baseURL, db, makeUser }) => {
  const user = await makeUser();
  const registered = await registerClient(db, {
    skipAuthorization: true,
    grantTypes: ["authorization_code", "refresh_token", "client_credentials"],
  });
  const config = await relyingParty(baseURL!, registered);
  const machineTokens = await Promise.all([1, 2].map(() => client.clientCredentialsGrant(config, { scope: "read" })));
  const session = await signedInSession(baseURL!, user.email, user.password);
  const flow = await codeFlowStart(config);
  const userTokens = await client.authorizationCodeGrant(config, await authorize(session, flow.url), {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
  });
  await session.dispose();

  await signInAsAdmin(page, `/admin/applications/${registered.id}/tokens`);
  await expect(page.getByTestId("count-active-access-tokens")).toHaveText("3");
  await expect(page.getByTestId("count-active-refresh-tokens")).toHaveText("1");
  await expect(page.getByTestId("access_token-row").filter({ hasText: user.email })).toHaveCount(1);
  await expect(page.getByTestId("refresh_token-row").filter({ hasText: user.email })).toHaveCount(1);
  // Token values are never shown, not even their hashes.
  const html = await page.content();
  for (const value of [userTokens.access_token, userTokens.refresh_token!, machineTokens[0]!.access_token])
    expect(html).not.toContain(value);
  expect(await seriousA11yViolations(page)).toEqual([]);

  // Revoke one: the user's access token stops working at once.
  await page
    .getByTestId("access_token-row")
    .filter({ hasText: user.email })
    .getByRole("button", { name: /^Revoke/ })
    .click();
  await expect(page.getByTestId("toast").filter({ hasText: "Token revoked" })).toBeVisible();
  await expect(page.getByTestId("count-active-access-tokens")).toHaveText("2");
  expect((await client.tokenIntrospection(config, userTokens.access_token)).active).toBe(false);
  expect((await client.tokenIntrospection(config, machineTokens[0]!.access_token)).active).toBe(true);

  // Revoke all, with the count in the confirmation.
  await page.getByRole("button", { name: "Revoke all tokens" }).click();
  const dialog = page.getByRole("dialog", {
    name: `Revoke all tokens of ${(await db.application.findUniqueOrThrow({ where: { id: registered.id } })).name}?`,
  });
  await expect(dialog).toContainText("2 access tokens");
  await expect(dialog).toContainText("1 refresh token");
  await dialog.getByRole("button", { name: "Revoke 3 tokens" }).click();
  await expect(page.getByTestId("toast").filter({ hasText: "Revoked 2 access and 1 refresh tokens" })).toBeVisible();
  await expect(page.getByTestId("count-active-access-tokens")).toHaveText("0");
  await expect(page.getByText("No active refresh tokens")).toBeVisible();
  for (const token of machineTokens)
    expect((await client.tokenIntrospection(config, token.access_token)).active).toBe(false);
  await expect(client.refreshTokenGrant(config, userTokens.refresh_token!)).rejects.toMatchObject({
    error: "invalid_grant",
  });

  const audit = await db.auditEvent.findMany({
    where: { applicationId: registered.id, action: { in: ["token.revoked", "tokens.revoked_all"] } },
    orderBy: { createdAt: "asc" },
  });
  expect(audit.map((entry) => entry.action)).toEqual(["token.revoked", "tokens.revoked_all"]);
  expect(JSON.parse(audit[1]!.details)).toEqual({ name: expect.any(String), accessTokens: 2, refreshTokens: 1 });
});

/** Live access tokens of the client itself, written as the token endpoint stores them. */
async function machineTokens(db: Db, applicationId: string, count: number) {
  for (let i = 0; i < count; i++) {
    await db.accessToken.create({
      data: {
        tokenHash: hashCredential(generateCredential("accessToken")),
        applicationId,
        scope: "read",
        grantType: "client_credentials",
        expiresAt: new Date(Date.now() + 3600_000),
      },
    });
  }
}

test("revoking answers clearly when it cannot be done: a deleted application, a failed request, junk arguments", async ({
  page,
  db,
}) => {
  const registered = await registerClient(db, { grantTypes: ["client_credentials"] });
  const name = (await db.application.findUniqueOrThrow({ where: { id: registered.id } })).name;
  await machineTokens(db, registered.id, 2);
  await signInAsAdmin(page, `/admin/applications/${registered.id}/tokens`);
  await expect(
    page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: "Applications" }),
  ).toHaveAttribute("aria-current", "true");

  // The request never reaches the server: the dialog reports it rather than failing silently.
  await page.route(`**/admin/applications/${registered.id}/tokens`, (route) =>
    route.request().method() === "POST" ? route.abort() : route.continue(),
  );
  await page.getByRole("button", { name: "Revoke all tokens" }).click();
  await page
    .getByRole("dialog", { name: `Revoke all tokens of ${name}?` })
    .getByRole("button", { name: "Revoke 2 tokens" })
    .click();
  await expect(
    page.getByTestId("toast").filter({ hasText: `Could not revoke the tokens of ${name}. Try again.` }),
  ).toBeVisible();
  await page.unroute(`**/admin/applications/${registered.id}/tokens`);
  expect(await db.accessToken.count({ where: { applicationId: registered.id, revokedAt: null } })).toBe(2);

  // The same action, with junk for arguments, as anyone may post it: a clear answer, not a 500.
  const call = page.waitForRequest((request) => request.method() === "POST" && "next-action" in request.headers());
  await page
    .getByRole("button", { name: /^Revoke access token/ })
    .first()
    .click();
  const action = await call;
  await expect(page.getByTestId("toast").filter({ hasText: "Token revoked" })).toBeVisible();
  const headers = await action.allHeaders();
  delete headers["content-length"];
  for (const junk of [
    [{ id: 1 }, "access_token", ["x"]],
    [registered.id, "access_token", "../../etc"],
    [null, 5, {}],
  ]) {
    const response = await page.request.post(action.url(), { headers, data: JSON.stringify(junk) });
    expect(response.status(), JSON.stringify(junk)).toBe(200);
    expect(await response.text()).toContain("That token was already revoked or no longer exists.");
  }
  expect(await db.accessToken.count({ where: { applicationId: registered.id, revokedAt: null } })).toBe(1);

  // Deleted meanwhile (another admin, the command line): said so, and nothing is audited.
  await db.application.delete({ where: { id: registered.id } });
  await page.getByRole("button", { name: "Revoke all tokens" }).click();
  await page
    .getByRole("dialog", { name: `Revoke all tokens of ${name}?` })
    .getByRole("button", { name: "Revoke 1 token" })
    .click();
  await expect(page.getByTestId("toast").filter({ hasText: "This application no longer exists." })).toBeVisible();
  expect(await db.auditEvent.count({ where: { applicationId: registered.id, action: "tokens.revoked_all" } })).toBe(0);
});
