"use server";

import { revalidatePath } from "next/cache";
import { findApplication } from "@/lib/applications/queries";
import type { Actor } from "@/lib/audit/actor";
import { db } from "@/lib/db/client";
import { protocol } from "@/lib/server/protocol";
import { checkCallback, maxResponseLength } from "@/lib/try-it/callback";
import { exchangeCode, type TokenOutcome } from "@/lib/try-it/client";
import { testCallbackUrl } from "@/lib/try-it/test-callback";
import { adminAction, formAction, unreadableForm } from "@/lib/web/actions";
import { clearFlow, currentFlow } from "@/lib/web/try-it-cookie";

export interface ExchangeState {
  /** The pasted secret was refused or missing: the code is still unused, so paste it again. */
  secretErrors?: string[];
  /** The exchange ended without tokens; `retry` when the same code may be tried again. */
  problem?: { message: string; retry: boolean };
  result?: Omit<TokenOutcome, "ok"> & { application: { id: string; name: string } };
}

const unreadable = (): ExchangeState => ({ problem: { message: unreadableForm, retry: true } });

/**
 * Exchanges the callback's code at the token endpoint over HTTP, as the application would. The
 * client secret of a confidential app is pasted into this form: it is sent to the token endpoint
 * and nowhere else, never stored. The flow ends (its cookie is cleared) once the code was used,
 * whatever the answer, so a reload cannot replay it.
 */
export const exchangeCodeAction = adminAction(
  formAction(unreadable, async (actor: Actor, _previous: ExchangeState, form: FormData): Promise<ExchangeState> => {
    const posted = form.get("response");
    if (typeof posted !== "string" || posted.length > maxResponseLength) return unreadable();
    const response = new URLSearchParams(posted);
    const check = checkCallback(await currentFlow(), actor.kind === "user" ? actor.id : "", response);
    if (!check.ok) return { problem: { message: check.message, retry: false } };
    if (check.outcome === "error") return { problem: { message: "The authorization server refused.", retry: false } };
    const { flow } = check;
    const app = await findApplication(db(), flow.applicationId);
    if (!app || app.clientId !== flow.clientId) {
      await clearFlow();
      return { problem: { message: "This application no longer exists. Nothing was exchanged.", retry: false } };
    }
    let secret: string | null = null;
    if (app.clientType === "confidential") {
      const pasted = form.get("secret");
      secret = typeof pasted === "string" ? pasted.trim() : "";
      if (secret === "") return { secretErrors: ["Paste the client secret: only its hash is stored on this server."] };
    }
    const server = protocol().config;
    const outcome = await exchangeCode(server, flow, {
      redirectUri: testCallbackUrl(server.issuer),
      response,
      secret,
    });
    if (!outcome.ok) {
      if (!outcome.codeUnused) await clearFlow();
      if (outcome.wrongSecret) return { secretErrors: [outcome.message] };
      return { problem: { message: outcome.message, retry: outcome.codeUnused } };
    }
    await clearFlow();
    revalidatePath(`/admin/applications/${app.id}/tokens`);
    const { ok: _ok, ...result } = outcome;
    return { result: { ...result, application: { id: app.id, name: app.name } } };
  }),
);
