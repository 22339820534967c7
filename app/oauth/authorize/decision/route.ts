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
import { protocol } from "@/lib/server/protocol";
import { fromThisSite, readFormPost, refuse, seeOther, siteUrl } from "@/lib/web/form-post";
import { currentUser } from "@/lib/web/session";

export async function POST(request: Request): Promise<Response> {
  if (!fromThisSite(request)) return refuse(403, "This answer did not come from the consent screen.");
  const form = await readFormPost(request);
  const decision = form?.get("decision");
  if (!form || (decision !== "allow" && decision !== "deny")) {
    return refuse(400, "Bad request: expected the consent screen's form.");
  }
  const query = form.get("query") ?? "";
  const authorizeUrl = siteUrl(`/oauth/authorize?${new URLSearchParams(query)}`);
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
