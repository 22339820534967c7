"use server";

import { redirect } from "next/navigation";
import { approve, deny, validateAuthorizationRequest } from "@/lib/oauth/authorize";
import { protocol } from "@/lib/server/protocol";
import { formAction } from "@/lib/web/actions";
import { currentUser } from "@/lib/web/session";

/**
 * The consent form's answer. Nothing from the form is trusted but the query it repeats: the request
 * is validated again, and the answer counts only for the user the screen was shown to.
 */
export const answerConsent = formAction(
  // Not the consent form: nothing to answer; the authorization endpoint explains what is missing.
  () => redirect("/oauth/authorize"),
  async (form: FormData): Promise<void> => {
    const query = String(form.get("query") ?? "");
    const shownTo = String(form.get("user") ?? "");
    const authorizeUrl = `/oauth/authorize?${query}`;
    const user = await currentUser();
    if (!user || user.id !== shownTo) redirect(authorizeUrl);
    const ctx = protocol();
    const validation = await validateAuthorizationRequest(ctx, new URLSearchParams(query));
    if (!validation.ok) redirect("redirect" in validation ? validation.redirect : authorizeUrl);
    const { request } = validation;
    redirect(
      form.get("decision") === "allow"
        ? await approve(ctx, request, { id: user.id, authTime: user.authTime }, { consented: true })
        : deny(ctx, request),
    );
  },
);
