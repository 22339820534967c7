/**
 * Try it's "Sign in" button (a plain form POST, opened in a new tab): prepares a code flow with
 * PKCE for the application, keeps its state, nonce and verifier in the admin's browser
 * (lib/web/try-it-cookie.ts), and sends the browser to this server's real authorization endpoint.
 * What the form cannot start (the app changed meanwhile, a tampered form) goes back to the Try it
 * page, which says why.
 */
import { scopeCatalogue } from "@/lib/scopes/catalogue";
import { NextResponse } from "next/server";
import { findApplication } from "@/lib/applications/queries";
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { db } from "@/lib/db/client";
import { isRecordId } from "@/lib/db/record-id";
import { protocol } from "@/lib/server/protocol";
import { startAuthorization } from "@/lib/try-it/client";
import { chosenScopes, scopeChoices } from "@/lib/try-it/scopes";
import { hasTestCallback, testCallbackUrl } from "@/lib/try-it/test-callback";
import { fromThisSite, readFormPost, refuse, seeOther, siteUrl } from "@/lib/web/form-post";
import { currentUser } from "@/lib/web/session";
import { flowCookie } from "@/lib/web/try-it-cookie";
import { tryItPath, type TryItNotice } from "../notices";

export async function POST(request: Request): Promise<Response> {
  if (!fromThisSite(request)) return refuse(403, "This request did not come from the Try it page.");
  const form = await readFormPost(request);
  const id = form?.get("application");
  if (!form || !isRecordId(id)) return refuse(400, "Bad request: expected the Try it form.");
  const tryItPage = (notice?: TryItNotice) => seeOther(siteUrl(tryItPath(id, notice)));
  try {
    // requireAdmin's rule, answered as a response: sign in first; anyone but an admin is refused.
    const user = await currentUser();
    if (!user) return seeOther(siteUrl(`/login?callbackUrl=${encodeURIComponent(tryItPath(id))}`));
    if (user.role !== "ADMIN") return refuse(403, "Only administrators can use Try it.");
    const app = await findApplication(db(), id);
    if (!app) return seeOther(siteUrl("/admin/applications"));
    const server = protocol().config;
    if (!app.grantTypes.includes("authorization_code")) return tryItPage("no-code-grant");
    if (!hasTestCallback(app, server.issuer)) return tryItPage("no-callback");
    const scopes = chosenScopes(form.getAll("scope"), scopeChoices(app, await scopeCatalogue(db()).read()).codeFlow);
    if (scopes === null) return tryItPage("scopes");
    const started = await startAuthorization(server, {
      clientId: app.clientId,
      redirectUri: testCallbackUrl(server.issuer),
      scopes,
      forceConsent: form.get("prompt") === "consent",
    });
    const cookie = await flowCookie({
      ...started.flow,
      applicationId: app.id,
      clientId: app.clientId,
      userId: user.id,
    });
    const response = NextResponse.redirect(started.authorizationUrl, 303);
    response.headers.set("cache-control", "no-store");
    response.cookies.set(cookie.name, cookie.value, cookie.options);
    return response;
  } catch (error) {
    // The page says the server is unavailable.
    if (isDatabaseUnavailable(error)) return tryItPage();
    throw error;
  }
}
