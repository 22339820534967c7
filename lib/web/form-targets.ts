/**
 * Where the forms of the consent, sign-in and sign-out pages may send the user, for the page's
 * form-action (lib/web/content-security-policy.ts). Chromium checks every redirect that follows a
 * form POST, so this is wherever the answer's redirects may end: the registered redirect URIs of
 * the client an authorization request names (the consent screen; and the sign-in page when it
 * returns to such a request, which goes straight on to the client when the app is trusted or
 * consent is remembered), and the registered post-logout URI a sign-out request asks for. Only
 * registered addresses are ever listed; a request the page will refuse gets none. One client
 * lookup per request of those pages (the page's own lookup next is the same, cached on PostgreSQL).
 */
import { validateLogoutRequest } from "../oauth/logout.ts";
import { parseParams } from "../oauth/params.ts";
import { settings } from "../config/settings.ts";
import { protocol } from "../server/protocol.ts";
import { formActionSource } from "./content-security-policy.ts";
import { safeReturnPath } from "./return-path.ts";

export const pagesWithFormTargets = new Set(["/oauth/authorize", "/oauth/logout", "/login"]);

export async function formTargets(pathname: string, query: URLSearchParams): Promise<string[]> {
  try {
    let uris: readonly string[] = [];
    if (pathname === "/login") {
      const callback = new URL(safeReturnPath(query.get("callbackUrl"), settings().publicUrl), "http://x.invalid");
      return callback.pathname === "/oauth/authorize"
        ? await formTargets(callback.pathname, callback.searchParams)
        : [];
    }
    if (pathname === "/oauth/authorize") {
      const clientId = parseParams(query).get("client_id");
      const client = clientId && clientId.length <= 4096 ? await protocol().store.findClient(clientId) : null;
      uris = client?.redirectUris ?? [];
    } else if (pathname === "/oauth/logout") {
      const { returnTo } = await validateLogoutRequest(protocol(), query);
      uris = returnTo ? [returnTo] : [];
    }
    return uris.map(formActionSource).filter((source): source is string => source !== null);
  } catch {
    // A malformed request or an unreachable database: no extra target; the page answers for itself.
    return [];
  }
}
