"use server";

import { scopeCatalogue } from "@/lib/scopes/catalogue";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { findApplication } from "@/lib/applications/queries";
import type { Actor } from "@/lib/audit/actor";
import { db } from "@/lib/db/client";
import { isRecordId } from "@/lib/db/record-id";
import { protocol } from "@/lib/server/protocol";
import { requestClientCredentials } from "@/lib/try-it/client";
import { chosenScopes, scopeChoices } from "@/lib/try-it/scopes";
import { setTestCallback } from "@/lib/try-it/test-callback";
import { adminAction, formAction, unreadableForm } from "@/lib/web/actions";
import { flash } from "@/lib/web/flash";
import { tryItPath } from "@/app/admin/try-it/notices";
import { versionField } from "@/lib/web/version-fields";

async function unreadableRedirect(): Promise<never> {
  await flash(unreadableForm, "error");
  redirect("/admin/applications");
}

/** Adds or removes the test callback, conditional on the version the page showed (its hidden field). */
async function changeTestCallback(actor: Actor, form: FormData, present: boolean): Promise<never> {
  const id = form.get("application");
  const version = new Date(String(form.get(versionField)));
  if (!isRecordId(id) || Number.isNaN(version.getTime())) return unreadableRedirect();
  const result = await setTestCallback(db(), id, protocol().config.issuer, present, actor, version);
  if (!result.ok) {
    if (result.reason !== "not_found") redirect(tryItPath(id, result.reason));
    await flash(result.message, "error");
    redirect("/admin/applications");
  }
  revalidatePath("/admin/applications");
  redirect(tryItPath(id, present ? "added" : "removed"));
}

export const addTestCallbackAction = adminAction(
  formAction(unreadableRedirect, (actor: Actor, form: FormData) => changeTestCallback(actor, form, true)),
);

export const removeTestCallbackAction = adminAction(
  formAction(unreadableRedirect, (actor: Actor, form: FormData) => changeTestCallback(actor, form, false)),
);

export interface ClientCredentialsState {
  errors?: { secret?: string[]; scope?: string[]; form?: string[] };
  /** The token endpoint's JSON, as sent. */
  tokenResponse?: Record<string, unknown>;
  /** The scopes asked for, checked again when React resets the form after the action. */
  scopes?: string[];
}

const unreadableState = (): ClientCredentialsState => ({ errors: { form: [unreadableForm] } });

/**
 * Client credentials, as the application would ask: the pasted secret goes to the token endpoint
 * with this one request and is never stored (this server keeps only its hash).
 */
export const clientCredentialsAction = adminAction(
  formAction(
    unreadableState,
    async (
      _actor: Actor,
      id: string,
      _previous: ClientCredentialsState,
      form: FormData,
    ): Promise<ClientCredentialsState> => {
      const app = isRecordId(id) ? await findApplication(db(), id) : null;
      if (!app) return { errors: { form: ["This application no longer exists."] } };
      if (!app.grantTypes.includes("client_credentials") || app.clientType !== "confidential") {
        return { errors: { form: ["This application cannot use client credentials (any more)."] } };
      }
      const server = protocol().config;
      const scopes = chosenScopes(
        form.getAll("scope"),
        scopeChoices(app, await scopeCatalogue(db()).read()).clientCredentials,
      );
      if (scopes === null) return { errors: { scope: ["Choose among the scopes listed."] } };
      const pasted = form.get("secret");
      const secret = typeof pasted === "string" ? pasted.trim() : "";
      if (secret === "")
        return { errors: { secret: ["Paste the client secret: only its hash is stored on this server."] } };
      const outcome = await requestClientCredentials(server, { clientId: app.clientId, secret, scopes });
      if (!outcome.ok)
        return { errors: outcome.wrongSecret ? { secret: [outcome.message] } : { form: [outcome.message] } };
      revalidatePath(`/admin/applications/${app.id}/tokens`);
      return { tokenResponse: outcome.tokenResponse };
    },
  ),
);
