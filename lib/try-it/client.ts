/**
 * Try it's relying party: what an application would do against this server, done by the server for
 * the admin with openid-client, over HTTP to the server's own public URL (the real authorization,
 * token, JWKS and userinfo endpoints). The server metadata is this server's own discovery document,
 * built in-process (the same one /.well-known/openid-configuration serves).
 *
 * The token and userinfo responses are shown as the server sent them: openid-client normalises what
 * it parses (token_type in lower case), so the raw bodies are kept as they arrive. ID tokens are
 * verified as a relying party would (issuer, audience, expiry, nonce) and, beyond what a client
 * talking TLS to the token endpoint needs, their signature against the JWKS (non-repudiation checks).
 */
import * as client from "openid-client";
import { decodeProtectedHeader } from "jose";
import type { ProtocolConfig } from "../oauth/context.ts";
import { openidConfiguration } from "../oauth/discovery.ts";
import type { TryItFlow } from "./flow.ts";

/** Seconds each call to the server's own endpoints may take. */
const requestTimeoutSeconds = 10;

type Json = Record<string, unknown>;

interface Exchange {
  url: string;
  status: number;
  body: string;
}

/** The client's configuration, and the raw answers of the calls made with it. */
function configuration(server: ProtocolConfig, clientId: string, secret: string | null) {
  // Only the endpoints matter to the client: the scope list (scopes_supported) is left out.
  const metadata = openidConfiguration(server, {}) as client.ServerMetadata;
  const config = new client.Configuration(
    metadata,
    clientId,
    undefined,
    secret === null ? client.None() : client.ClientSecretBasic(secret),
  );
  // A server whose public URL is plain http (development, the tests) calls itself over http.
  if (server.issuer.startsWith("http://")) client.allowInsecureRequests(config);
  config.timeout = requestTimeoutSeconds;
  client.enableNonRepudiationChecks(config);
  const exchanges: Exchange[] = [];
  config[client.customFetch] = async (url, options) => {
    const response = await fetch(url, options as RequestInit);
    exchanges.push({ url, status: response.status, body: await response.clone().text() });
    return response;
  };
  const raw = (url: string): Json | null => {
    const found = exchanges.findLast((exchange) => exchange.url === url);
    if (!found) return null;
    try {
      const parsed: unknown = JSON.parse(found.body);
      return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Json) : null;
    } catch {
      return null;
    }
  };
  return { config, metadata, raw };
}

export interface StartedFlow {
  /** Where the admin's browser goes: this server's authorization endpoint with the request. */
  authorizationUrl: string;
  /** What the callback needs, kept in the admin's browser (./flow.ts). */
  flow: Pick<TryItFlow, "state" | "nonce" | "codeVerifier" | "scope">;
}

/** A fresh authorization request with PKCE (S256), state and, for OpenID Connect, a nonce. */
export async function startAuthorization(
  server: ProtocolConfig,
  request: { clientId: string; redirectUri: string; scopes: readonly string[]; forceConsent: boolean },
): Promise<StartedFlow> {
  const { config } = configuration(server, request.clientId, null);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = request.scopes.includes("openid") ? client.randomNonce() : null;
  const scope = request.scopes.join(" ");
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: request.redirectUri,
    scope,
    state,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    ...(nonce ? { nonce } : {}),
    ...(request.forceConsent ? { prompt: "consent" } : {}),
  });
  if (scope === "") url.searchParams.delete("scope");
  return { authorizationUrl: url.toString(), flow: { state, nonce, codeVerifier, scope } };
}

export interface DecodedIdToken {
  header: Json;
  claims: Json;
  /** Verified against the key the JWKS publishes under the header's kid. */
  signatureVerified: true;
  jwksUri: string;
}

export type UserinfoOutcome = { ok: true; claims: Json } | { ok: false; message: string };

export interface TokenOutcome {
  ok: true;
  /** The token endpoint's JSON, as sent. */
  tokenResponse: Json;
  idToken: DecodedIdToken | null;
  /** Asked for only when openid was granted. */
  userinfo: UserinfoOutcome | null;
}

export interface TryItProblem {
  ok: false;
  /** The client secret was refused: the admin may paste it again (the code is still unused). */
  wrongSecret: boolean;
  /** Whether the authorization code may still be exchanged (it was never accepted or refused). */
  codeUnused: boolean;
  /** The OAuth error code, when the server answered with one. */
  error: string | null;
  message: string;
}

/** Exchanges the callback's code at the token endpoint, then reads userinfo when openid was granted. */
export async function exchangeCode(
  server: ProtocolConfig,
  flow: TryItFlow,
  callback: { redirectUri: string; response: URLSearchParams; secret: string | null },
): Promise<TokenOutcome | TryItProblem> {
  const { config, metadata, raw } = configuration(server, flow.clientId, callback.secret);
  const currentUrl = new URL(callback.redirectUri);
  currentUrl.search = callback.response.toString();
  let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
  try {
    tokens = await client.authorizationCodeGrant(config, currentUrl, {
      pkceCodeVerifier: flow.codeVerifier,
      expectedState: flow.state,
      ...(flow.nonce ? { expectedNonce: flow.nonce, idTokenExpected: true } : {}),
    });
  } catch (error) {
    return problemFrom(error, metadata.token_endpoint!, raw(metadata.token_endpoint!));
  }
  const tokenResponse = raw(metadata.token_endpoint!) ?? { ...tokens };
  const claims = tokens.claims();
  const idToken: DecodedIdToken | null =
    tokens.id_token && claims
      ? {
          header: decodeProtectedHeader(tokens.id_token) as Json,
          claims: { ...claims },
          signatureVerified: true,
          jwksUri: metadata.jwks_uri!,
        }
      : null;
  const granted = (tokens.scope ?? flow.scope).split(" ");
  let userinfo: UserinfoOutcome | null = null;
  if (granted.includes("openid")) {
    try {
      await client.fetchUserInfo(config, tokens.access_token, claims?.sub ?? client.skipSubjectCheck);
      userinfo = { ok: true, claims: raw(metadata.userinfo_endpoint!) ?? {} };
    } catch (error) {
      userinfo = {
        ok: false,
        message: problemFrom(error, metadata.userinfo_endpoint!, raw(metadata.userinfo_endpoint!)).message,
      };
    }
  }
  return { ok: true, tokenResponse, idToken, userinfo };
}

/** The client credentials grant: the app asks for a token for itself. */
export async function requestClientCredentials(
  server: ProtocolConfig,
  request: { clientId: string; secret: string; scopes: readonly string[] },
): Promise<{ ok: true; tokenResponse: Json } | TryItProblem> {
  const { config, metadata, raw } = configuration(server, request.clientId, request.secret);
  try {
    const tokens = await client.clientCredentialsGrant(
      config,
      request.scopes.length > 0 ? { scope: request.scopes.join(" ") } : {},
    );
    return { ok: true, tokenResponse: raw(metadata.token_endpoint!) ?? { ...tokens } };
  } catch (error) {
    return problemFrom(error, metadata.token_endpoint!, raw(metadata.token_endpoint!));
  }
}

/** The OAuth error an endpoint answered with: its JSON body, or its WWW-Authenticate challenge (RFC 6750). */
function oauthErrorOf(
  error: unknown,
  body: Json | null,
): { code: string; description: string | null; status: number } | null {
  if (error instanceof client.ResponseBodyError) {
    return { code: error.error, description: error.error_description ?? null, status: error.status };
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    const parameters = error.cause.find((challenge) => challenge.parameters.error)?.parameters;
    const code = parameters?.error ?? (typeof body?.error === "string" ? body.error : null);
    const description =
      parameters?.error_description ?? (typeof body?.error_description === "string" ? body.error_description : null);
    return code ? { code, description, status: error.status } : null;
  }
  return null;
}

/** What went wrong, in words an admin can act on. `body` is the endpoint's raw answer, when it sent JSON. */
export function problemFrom(error: unknown, endpoint: string, body: Json | null = null): TryItProblem {
  const answered = oauthErrorOf(error, body);
  if (answered) {
    const wrongSecret = answered.code === "invalid_client";
    const described = answered.description ? `: ${answered.description}` : "";
    return {
      ok: false,
      wrongSecret,
      // Refused before the grant was looked at: the client's authentication, or its throttle.
      codeUnused: wrongSecret || answered.status === 429,
      error: answered.code,
      message: wrongSecret
        ? `The server refused the client's credentials (invalid_client${described}). Check the secret and try again.`
        : `The server answered ${answered.code}${described}.`,
    };
  }
  if (error instanceof client.AuthorizationResponseError) {
    const described = error.error_description ? `: ${error.error_description}` : "";
    return {
      ok: false,
      wrongSecret: false,
      codeUnused: false,
      error: error.error,
      message: `The authorization server answered ${error.error}${described}.`,
    };
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    return {
      ok: false,
      wrongSecret: false,
      codeUnused: false,
      error: null,
      message: `The server answered HTTP ${error.status} with a challenge (WWW-Authenticate) and no error code.`,
    };
  }
  if (error instanceof client.ClientError) {
    // A response that fails the client's checks (state, issuer, nonce, signature, shape).
    return {
      ok: false,
      wrongSecret: false,
      codeUnused: false,
      error: null,
      message: `The response failed the client's checks: ${error.message}${causeOf(error)}.`,
    };
  }
  return {
    ok: false,
    wrongSecret: false,
    codeUnused: true,
    error: null,
    message: `Could not reach ${endpoint}${causeOf(error)}. The server calls its own public URL (PORTCULLIS_URL): it must be able to reach it.`,
  };
}

function causeOf(error: unknown): string {
  const cause = error instanceof Error ? (error.cause ?? error) : error;
  if (cause instanceof Error && cause !== error) return ` (${cause.message})`;
  return error instanceof Error && !(error instanceof client.ClientError) ? ` (${error.message})` : "";
}
