/**
 * The consent screen's answer: a plain form POST (no server action), so it behaves the same before
 * the page's JavaScript has hydrated, after, and without it, and nothing on the client can replay
 * or re-render it. Nothing from the form is trusted but the query it repeats: the request is
 * validated again, and the answer counts only for the user the screen was shown to. The consent
 * is stored before the redirect carrying the code is produced (lib/oauth/authorize.ts approve).
 */
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { approve, deny, errorRedirect, validateAuthorizationRequest } from "@/lib/oauth/authorize";
import { temporarilyUnavailable } from "@/lib/oauth/http";
import { settings } from "@/lib/config/settings";
import { protocol } from "@/lib/server/protocol";
import { currentUser } from "@/lib/web/session";

/** A consent form holds one authorization request; no real one comes near this. */
const maxBodyBytes = 64 * 1024;

function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}

function refuse(status: number, message: string): Response {
  return new Response(message, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/**
 * Cross-site request forgery: browsers send Origin with every form POST; it must be this site
 * (the public URL, or the host the browser addressed), as Next requires of server actions.
 */
function fromThisSite(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return false;
  try {
    const { host } = new URL(origin);
    return host === new URL(settings().publicUrl).host || host === request.headers.get("host");
  } catch {
    return false;
  }
}

async function readForm(request: Request): Promise<URLSearchParams | null> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded" || !request.body) return null;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBodyBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export async function POST(request: Request): Promise<Response> {
  if (!fromThisSite(request)) return refuse(403, "This answer did not come from the consent screen.");
  const form = await readForm(request);
  const decision = form?.get("decision");
  if (!form || (decision !== "allow" && decision !== "deny")) {
    return refuse(400, "Bad request: expected the consent screen's form.");
  }
  const query = form.get("query") ?? "";
  const authorizeUrl = new URL(`/oauth/authorize?${new URLSearchParams(query)}`, settings().publicUrl).toString();
  try {
    const user = await currentUser();
    // Signed out, or someone else signed in meanwhile: show the request again to whoever it is now.
    if (!user || user.id !== form.get("user")) return seeOther(authorizeUrl);
    const ctx = protocol();
    const validation = await validateAuthorizationRequest(ctx, new URLSearchParams(query));
    if (!validation.ok) return seeOther("redirect" in validation ? validation.redirect : authorizeUrl);
    const { request: authorization } = validation;
    if (decision === "deny") return seeOther(deny(ctx, authorization));
    try {
      return seeOther(await approve(ctx, authorization, { id: user.id, authTime: user.authTime }, { consented: true }));
    } catch (error) {
      // RFC 6749 §4.1.2.1: the client is known, so it hears that it may try again.
      if (isDatabaseUnavailable(error)) return seeOther(errorRedirect(ctx, authorization, temporarilyUnavailable()));
      throw error;
    }
  } catch (error) {
    // Back to the authorization page, which says the server is unavailable or tells the client so.
    if (isDatabaseUnavailable(error)) return seeOther(authorizeUrl);
    throw error;
  }
}
