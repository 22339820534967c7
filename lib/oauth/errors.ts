/**
 * The protocol's errors (RFC 6749 §4.1.2.1 and §5.2, RFC 7009, RFC 6750, RFC 8628, OpenID Connect Core
 * §3.1.2.6). Each carries the RFC's code, an HTTP status and a description that is safe to show the
 * client; `detail` is for the server log only and is never sent.
 */

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "unsupported_response_type"
  | "invalid_scope"
  | "access_denied"
  | "server_error"
  | "temporarily_unavailable"
  | "login_required"
  | "consent_required"
  | "interaction_required"
  | "request_not_supported"
  | "request_uri_not_supported"
  | "invalid_token"
  | "insufficient_scope"
  | "unsupported_token_type"
  // RFC 8628 §3.5: the device code grant's answers while the user has not approved.
  | "authorization_pending"
  | "slow_down"
  | "expired_token";

const defaultStatus: Partial<Record<OAuthErrorCode, number>> = {
  invalid_client: 401,
  invalid_token: 401,
  insufficient_scope: 403,
  server_error: 500,
  temporarily_unavailable: 503,
};

/**
 * Recognises an OAuthError made by any copy of this module. Next's build copies lib/ into its own
 * chunks while server.ts runs the source, and the protocol context on globalThis
 * (lib/server/protocol.ts) is made by whichever copy asks first: an error its throttle or store
 * throws must still be one to the other copy's `instanceof`, or a 429 is answered as a 500.
 */
const oauthErrorBrand = Symbol.for("portcullis.OAuthError");

export class OAuthError extends Error {
  static override [Symbol.hasInstance](value: unknown): value is OAuthError {
    return typeof value === "object" && value !== null && oauthErrorBrand in value;
  }

  readonly [oauthErrorBrand] = true;
  readonly status: number;
  /** For the server log (lib/oauth/http.ts respond): why, beyond what the client is told. */
  readonly detail: string | undefined;
  /** Response headers the error needs beyond the RFC's (Retry-After with a 429). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    options: { status?: number; detail?: string; headers?: Record<string, string> } = {},
  ) {
    super(`${code}: ${description}${options.detail ? ` (${options.detail})` : ""}`);
    this.status = options.status ?? defaultStatus[code] ?? 400;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }

  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.description };
  }
}

export const invalidGrant = (description: string, detail?: string) =>
  new OAuthError("invalid_grant", description, { detail });
export const invalidScope = (description: string) => new OAuthError("invalid_scope", description);

/**
 * RFC 6750 §3.1: a request that carries no access token at all (or one only in a scheme the endpoint
 * does not take) is answered with 401 and a bare Bearer challenge, with no error code: the client
 * may simply not have known that the resource is protected.
 */
export class BearerTokenRequired extends Error {
  constructor() {
    super("A bearer token is required");
  }
}
