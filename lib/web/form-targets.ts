/**
 * Where the forms of the consent and sign-out pages may send the user, for the page's form-action
 * (lib/web/content-security-policy.ts): the registered redirect URIs of the client an authorization
 * request names, and the registered post-logout URI a sign-out request asks for. Only registered
 * addresses are ever listed; a request the page will refuse gets none. Looked up once per request
 * of those two pages (the client lookup the page itself does next is the same, cached on PostgreSQL).
 */
import { validateLogoutRequest } from "../oauth/logout.ts";
import { parseParams } from "../oauth/params.ts";
import { protocol } from "../server/protocol.ts";
import { formActionSource } from "./content-security-policy.ts";

export const pagesWithFormTargets = new Set(["/oauth/authorize", "/oauth/logout"]);

export async function formTargets(pathname: string, query: URLSearchParams): Promise<string[]> {
  try {
    let uris: readonly string[] = [];
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
