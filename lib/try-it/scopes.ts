/** Which scopes Try it offers an application, and reading the admin's choice back from a form. */
import type { ApplicationSettings } from "../applications/fields.ts";
import type { ScopeCatalogue } from "../oauth/scope.ts";

export interface ScopeChoices {
  /** For the code flow: openid only when the app signs ID tokens. */
  codeFlow: string[];
  /** Checked at first: OpenID Connect's sign-in scopes where the app may ask for them. */
  codeFlowDefaults: string[];
  /** For client credentials: no user, so neither openid nor offline_access (the server refuses them). */
  clientCredentials: string[];
}

export function scopeChoices(
  app: Pick<ApplicationSettings, "allowedScopes" | "algorithm">,
  catalogue: ScopeCatalogue,
): ScopeChoices {
  const offered = (app.allowedScopes.length > 0 ? app.allowedScopes : Object.keys(catalogue)).filter(
    (scope) => scope in catalogue,
  );
  const codeFlow = offered.filter((scope) => scope !== "openid" || app.algorithm === "RS256");
  const signIn = codeFlow.filter((scope) => ["openid", "profile", "email"].includes(scope));
  return {
    codeFlow,
    codeFlowDefaults: signIn.length > 0 ? signIn : codeFlow,
    clientCredentials: offered.filter((scope) => scope !== "openid" && scope !== "offline_access"),
  };
}

/** The posted scopes, in the offered order; null when one was not offered (a tampered form). */
export function chosenScopes(posted: readonly unknown[], offered: readonly string[]): string[] | null {
  const wanted = new Set(posted);
  if ([...wanted].some((scope) => typeof scope !== "string" || !offered.includes(scope))) return null;
  return offered.filter((scope) => wanted.has(scope));
}
