/**
 * Scopes: syntax (RFC 6749 §3.3) and the catalogue's shape, which gives each scope words an end
 * user understands on the consent screen. Unknown scopes are rejected, never passed through. The
 * catalogue itself is in the database (lib/scopes/catalogue.ts); these built-in scopes and
 * PORTCULLIS_SCOPES only seed it.
 */

export interface ScopeDescription {
  /** Shown on the consent screen as "This app will be able to: …". */
  description: string;
  /** Granted when a client asks for no scope (lib/oauth/scope-policy.ts). */
  isDefault?: boolean;
}

export const builtInScopes: Record<string, ScopeDescription> = {
  openid: { description: "Confirm who you are with your account" },
  profile: { description: "See your name" },
  email: { description: "See your email address" },
  offline_access: { description: "Keep access while you are not using the app" },
  read: { description: "Read your data" },
  write: { description: "Change your data" },
};

export type ScopeCatalogue = Record<string, ScopeDescription>;

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const scopeToken = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function isScopeToken(value: string): boolean {
  return scopeToken.test(value);
}

/**
 * Parses a space-delimited scope parameter into unique tokens, in the order given.
 * Returns null when the syntax is invalid.
 */
export function parseScope(raw: string | undefined | null): string[] | null {
  if (raw === undefined || raw === null) return [];
  const tokens = raw.split(" ").filter((token) => token !== "");
  if (!tokens.every(isScopeToken)) return null;
  return [...new Set(tokens)];
}

/** The canonical stored form: sorted, unique, space-separated. */
export function formatScope(scopes: Iterable<string>): string {
  return [...new Set(scopes)].sort().join(" ");
}

export function covers(granted: Iterable<string>, requested: Iterable<string>): boolean {
  const have = new Set(granted);
  for (const scope of requested) if (!have.has(scope)) return false;
  return true;
}

/** The seed: the built-in scopes and PORTCULLIS_SCOPES, a JSON object of name → description. */
export function catalogueFromEnv(raw: string | undefined): ScopeCatalogue {
  if (!raw || raw.trim() === "") return { ...builtInScopes };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('PORTCULLIS_SCOPES must be a JSON object like {"api:read": "Read your orders"}');
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error('PORTCULLIS_SCOPES must be a JSON object like {"api:read": "Read your orders"}');
  }
  const catalogue: ScopeCatalogue = { ...builtInScopes };
  for (const [name, description] of Object.entries(parsed)) {
    if (!isScopeToken(name) || typeof description !== "string" || description.trim() === "") {
      throw new Error(`PORTCULLIS_SCOPES: "${name}" needs a valid scope name and a description`);
    }
    catalogue[name] = { description };
  }
  return catalogue;
}
