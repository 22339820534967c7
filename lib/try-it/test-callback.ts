/**
 * The built-in test callback Try it signs in through (app/admin/try-it/callback), and the one-click
 * change that registers it on an application or removes it again. Both go through the one update
 * path (updateApplication): validated, audited, and conditional on the version the admin's page
 * showed, so a change made meanwhile is never undone by adding a redirect URI.
 */
import type { Actor } from "../audit/record.ts";
import { ApplicationNotFoundError, updateApplication } from "../applications/commands.ts";
import { formValuesOf } from "../applications/form-values.ts";
import type { Application } from "../applications/model.ts";
import { findApplication } from "../applications/queries.ts";
import type { Db } from "../db/client.ts";

export const testCallbackPath = "/admin/try-it/callback";

/** The callback's address on this server (its public URL, which is also the issuer). */
export function testCallbackUrl(issuer: string): string {
  return `${issuer}${testCallbackPath}`;
}

export function hasTestCallback(app: Pick<Application, "redirectUris">, issuer: string): boolean {
  return app.redirectUris.includes(testCallbackUrl(issuer));
}

export type TestCallbackChange =
  | { ok: true; application: Application; changed: boolean }
  | { ok: false; reason: "not_found" | "conflict" | "only_redirect_uri" | "invalid"; message: string };

const notFound: TestCallbackChange = {
  ok: false,
  reason: "not_found",
  message: "This application no longer exists.",
};

/**
 * Adds (`present`) or removes the test callback. `expectedVersion` is the application's updatedAt
 * as the admin's page showed it: if it has changed since, nothing is written.
 */
export async function setTestCallback(
  db: Db,
  id: string,
  issuer: string,
  present: boolean,
  actor: Actor,
  expectedVersion: Date,
): Promise<TestCallbackChange> {
  const app = await findApplication(db, id);
  if (!app) return notFound;
  const uri = testCallbackUrl(issuer);
  if (app.updatedAt.getTime() !== expectedVersion.getTime()) return conflict();
  if (app.redirectUris.includes(uri) === present) return { ok: true, application: app, changed: false };
  const uris = present ? [...app.redirectUris, uri] : app.redirectUris.filter((registered) => registered !== uri);
  if (uris.length === 0 && app.grantTypes.includes("authorization_code")) {
    return {
      ok: false,
      reason: "only_redirect_uri",
      message:
        "The test callback is this app's only redirect URI, and the authorization code grant needs one: add the app's own on its Edit page first.",
    };
  }
  const values = formValuesOf(app);
  values.redirectUris = uris.join("\n");
  let result;
  try {
    result = await updateApplication(db, id, values, actor, { expectedVersion });
  } catch (error) {
    if (error instanceof ApplicationNotFoundError) return notFound;
    throw error;
  }
  if (result.ok) return { ok: true, application: result.application, changed: true };
  if ("conflict" in result) return conflict();
  const problems = [...(result.errors.redirectUris ?? []), ...(result.errors.form ?? [])];
  const others = Object.entries(result.errors).filter(([key]) => key !== "redirectUris" && key !== "form");
  return {
    ok: false,
    reason: "invalid",
    message:
      problems.length > 0
        ? `The redirect URIs could not be saved: ${problems.join(" ")}`
        : `This application's settings do not pass validation (${others.map(([key]) => key).join(", ")}): fix them on its Edit page first.`,
  };
}

function conflict(): TestCallbackChange {
  return {
    ok: false,
    reason: "conflict",
    message: "This application changed after you opened this page. Nothing was saved: check it and try again.",
  };
}
