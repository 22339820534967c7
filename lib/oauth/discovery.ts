/**
 * Discovery documents (OpenID Connect Discovery 1.0 and RFC 8414), describing exactly what this
 * server does: nothing here is advertised that the endpoints do not implement.
 */
import type { ProtocolConfig } from "./context.ts";
import type { ScopeCatalogue } from "./scope.ts";
import { endpointsFor } from "./endpoints.ts";
import { grants } from "./grants/index.ts";
import { supportedClaims } from "./oidc/claims.ts";

/** The token and revocation endpoints accept public clients (RFC 7009 §2.1: "none" for them). */
const clientAuthMethods = ["client_secret_basic", "client_secret_post", "none"];
/** Introspection refuses public clients (lib/oauth/introspect.ts), so "none" is not offered. */
const introspectionAuthMethods = ["client_secret_basic", "client_secret_post"];

export function authorizationServerMetadata(config: ProtocolConfig, catalogue: ScopeCatalogue) {
  const endpoints = endpointsFor(config.issuer);
  return {
    issuer: config.issuer,
    authorization_endpoint: endpoints.authorization,
    token_endpoint: endpoints.token,
    device_authorization_endpoint: endpoints.deviceAuthorization,
    jwks_uri: endpoints.jwks,
    revocation_endpoint: endpoints.revocation,
    introspection_endpoint: endpoints.introspection,
    scopes_supported: Object.keys(catalogue),
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: grants.map((grant) => grant.grantType),
    token_endpoint_auth_methods_supported: clientAuthMethods,
    revocation_endpoint_auth_methods_supported: clientAuthMethods,
    introspection_endpoint_auth_methods_supported: introspectionAuthMethods,
    code_challenge_methods_supported: ["S256"],
    // RFC 9207: authorization responses carry `iss`, so clients can detect mix-up attacks.
    authorization_response_iss_parameter_supported: true,
  };
}

export function openidConfiguration(config: ProtocolConfig, catalogue: ScopeCatalogue) {
  const endpoints = endpointsFor(config.issuer);
  return {
    ...authorizationServerMetadata(config, catalogue),
    userinfo_endpoint: endpoints.userinfo,
    end_session_endpoint: endpoints.endSession,
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: ["RS256"],
    claims_supported: supportedClaims,
    prompt_values_supported: ["none", "login", "consent", "select_account"],
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
  };
}
