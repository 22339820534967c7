/** Which scopes a client may get: known to the catalogue, allowed for the client, and coherent. */
import { invalidScope } from "./errors.ts";
import { parseScope, type ScopeCatalogue } from "./scope.ts";
import type { ClientRecord } from "./store.ts";

export function resolveScopes(raw: string | undefined, client: ClientRecord, catalogue: ScopeCatalogue): string[] {
  const scopes = parseScope(raw);
  if (scopes === null) throw invalidScope("The scope parameter is malformed");
  const unknown = scopes.filter((scope) => !(scope in catalogue));
  if (unknown.length > 0) throw invalidScope(`Unknown scope: ${unknown.join(" ")}`);
  if (client.allowedScopes.length > 0) {
    const refused = scopes.filter((scope) => !client.allowedScopes.includes(scope));
    if (refused.length > 0) throw invalidScope(`This client may not request: ${refused.join(" ")}`);
  }
  if (scopes.includes("openid") && client.algorithm !== "RS256") {
    throw invalidScope("This client is not configured for OpenID Connect (no ID token signing algorithm)");
  }
  return scopes;
}
