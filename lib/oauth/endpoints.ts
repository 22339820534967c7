/** The server's endpoint URLs, from its public base URL (also the issuer). Paths are fixed. */
export function endpointsFor(issuer: string) {
  return {
    issuer,
    authorization: `${issuer}/oauth/authorize`,
    token: `${issuer}/oauth/token`,
    deviceAuthorization: `${issuer}/oauth/device_authorization`,
    /** Where users enter a device's user code (RFC 8628 §3.3): a page, not an endpoint. */
    deviceVerification: `${issuer}/device`,
    revocation: `${issuer}/oauth/revoke`,
    introspection: `${issuer}/oauth/introspect`,
    userinfo: `${issuer}/oauth/userinfo`,
    jwks: `${issuer}/oauth/jwks`,
    endSession: `${issuer}/oauth/logout`,
    openidConfiguration: `${issuer}/.well-known/openid-configuration`,
    authorizationServerMetadata: `${issuer}/.well-known/oauth-authorization-server`,
  };
}
