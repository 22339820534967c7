"use server";

import { redirect } from "next/navigation";
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { approve, deny, errorRedirect, validateAuthorizationRequest } from "@/lib/oauth/authorize";
import { temporarilyUnavailable } from "@/lib/oauth/http";
import { protocol } from "@/lib/server/protocol";
import { currentUser } from "@/lib/web/session";

/**
 * The consent form's answer. Nothing from the form is trusted but the query it repeats: the request
 * is validated again, and the answer counts only for the user the screen was shown to.
 */
export async function answerConsent(form: FormData): Promise<void> {
  const query = String(form.get("query") ?? "");
  const shownTo = String(form.get("user") ?? "");
  const authorizeUrl = `/oauth/authorize?${query}`;
  let location: string;
  try {
    location = await answer(query, shownTo, form.get("decision") === "allow");
  } catch (error) {
    // Back to the authorization page, which says the server is unavailable or tells the client so.
    if (isDatabaseUnavailable(error)) redirect(authorizeUrl);
    throw error;
  }
  redirect(location);
}

async function answer(query: string, shownTo: string, allow: boolean): Promise<string> {
  const authorizeUrl = `/oauth/authorize?${query}`;
  const user = await currentUser();
  if (!user || user.id !== shownTo) return authorizeUrl;
  const ctx = protocol();
  const validation = await validateAuthorizationRequest(ctx, new URLSearchParams(query));
  if (!validation.ok) return "redirect" in validation ? validation.redirect : authorizeUrl;
  const { request } = validation;
  if (!allow) return deny(ctx, request);
  try {
    return await approve(ctx, request, { id: user.id, authTime: user.authTime }, { consented: true });
  } catch (error) {
    // RFC 6749 §4.1.2.1: the client is known, so it hears that it may try again.
    if (isDatabaseUnavailable(error)) return errorRedirect(ctx, request, temporarilyUnavailable());
    throw error;
  }
}
