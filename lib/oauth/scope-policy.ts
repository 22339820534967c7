/** Which scopes a client may get: known to the catalogue, allowed for the client, and coherent. */
import { invalidScope } from "./errors.ts";
import { parseScope, type ScopeCatalogue } from "./scope.ts";
import type { ClientRecord } from "./store.ts";

/**
 * A request without a scope (absent or blank) gets the catalogue's default scopes, as Django OAuth
 * Toolkit's DEFAULT_SCOPES (RFC 6749 §3.3 lets the server use "a pre-defined default value"): those
 * this client may get, so a default never makes a request fail. No scope is a default until an admin
 * makes one so, and then such a request gets no scope, as it always has.
 */
export function defaultScopesFor(
  client: ClientRecord,
  catalogue: ScopeCatalogue,
  { withoutUser = false }: { withoutUser?: boolean } = {},
): string[] {
  return Object.entries(catalogue)
    .filter(([name, { isDefault }]) => isDefault === true && mayRequest(client, name))
    .filter(([name]) => !withoutUser || !userScopes.has(name))
    .map(([name]) => name);
}

/** Scopes that need a user: a grant without one (client_credentials) never gets them by default. */
const userScopes = new Set(["openid", "offline_access"]);

function mayRequest(client: ClientRecord, scope: string): boolean {
  if (client.allowedScopes.length > 0 && !client.allowedScopes.includes(scope)) return false;
  return scope !== "openid" || client.algorithm === "RS256";
}

export function resolveScopes(
  raw: string | undefined,
  client: ClientRecord,
  catalogue: ScopeCatalogue,
  options: { withoutUser?: boolean } = {},
): string[] {
  if (raw === undefined || raw.trim() === "") return defaultScopesFor(client, catalogue, options);
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
