/**
 * Client authentication at the token, revocation and introspection endpoints (RFC 6749 §2.3):
 * client_secret_basic, client_secret_post, and none for public clients. A client may use one
 * method per request; secrets are compared with their stored SHA-256 digest in constant time.
 * Failed authentications are counted per client and address (./client-auth-throttle.ts): past
 * the limit, that address gets 429 with Retry-After.
 */
import type { ProtocolContext } from "./context.ts";
import { OAuthError } from "./errors.ts";
import type { TokenRequestOrigin } from "./grants/grant.ts";
import { optional, type Params } from "./params.ts";
import { credentialMatches } from "./secrets.ts";
import type { ClientRecord } from "./store.ts";

type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

export interface AuthenticatedClient {
  client: ClientRecord;
  method: ClientAuthMethod;
}

/** RFC 6749 §5.2: 401 with a WWW-Authenticate challenge for the scheme the client should use. */
export function invalidClient(description = "Client authentication failed"): OAuthError {
  return new OAuthError("invalid_client", description);
}

/**
 * RFC 6749 §5.2: credentials that cannot be read are failed client authentication, invalid_client
 * (401 with a Basic challenge, as for any attempt through the Authorization header), not a
 * malformed request.
 */
const unreadableBasic = () => invalidClient("The Authorization header is not valid HTTP Basic credentials");

function decodeBasic(header: string): { clientId: string; secret: string } {
  const encoded = header.slice("basic ".length).trim();
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (!/^[A-Za-z0-9+/]+=*$/.test(encoded) || colon < 0) throw unreadableBasic();
  let credentials: { clientId: string; secret: string };
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    credentials = {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " ")),
    };
  } catch {
    throw unreadableBasic();
  }
  // As in parameters (params.ts): no client_id or secret holds NUL, and PostgreSQL cannot compare one.
  if (credentials.clientId.includes("\u0000") || credentials.secret.includes("\u0000")) throw unreadableBasic();
  return credentials;
}

/** Failures of a registered client's authentication (a wrong secret), by error: its record id. */
const failedClients = new WeakMap<OAuthError, string>();

/**
 * The registered client a failed authentication named, when there is one: the token endpoint's
 * usage counts put a wrong secret against that application rather than under "no known client".
 */
export function clientOfFailedAuthentication(error: unknown): string | undefined {
  return error instanceof OAuthError ? failedClients.get(error) : undefined;
}

export async function authenticateClient(
  ctx: ProtocolContext,
  params: Params,
  authorization: string | null,
  origin: TokenRequestOrigin,
): Promise<AuthenticatedClient> {
  const bodyId = optional(params, "client_id");
  const bodySecret = optional(params, "client_secret");
  const basic = authorization && /^basic /i.test(authorization) ? decodeBasic(authorization) : null;

  if (basic && bodySecret !== undefined) {
    throw new OAuthError("invalid_request", "Use one client authentication method, not several");
  }
  if (basic && bodyId !== undefined && bodyId !== basic.clientId) {
    throw new OAuthError("invalid_request", "client_id does not match the Authorization header");
  }
  if (optional(params, "client_assertion") !== undefined) {
    throw invalidClient("Only client_secret_basic, client_secret_post and none are supported");
  }

  const clientId = basic?.clientId ?? bodyId;
  if (clientId === undefined) throw invalidClient("Client authentication is required");
  const key = { clientId, source: origin.ip ?? "" };
  const now = ctx.now();
  await ctx.clientAuthThrottle.check(key, now);
  const failed = async (error: OAuthError): Promise<never> => {
    await ctx.clientAuthThrottle.failed(key, now);
    throw error;
  };

  const client = await ctx.store.findClient(clientId);
  if (!client) return failed(invalidClient());
  const failedAs = (error: OAuthError): Promise<never> => {
    failedClients.set(error, client.id);
    return failed(error);
  };

  const secret = basic?.secret ?? bodySecret;
  const method: ClientAuthMethod = basic
    ? "client_secret_basic"
    : bodySecret !== undefined
      ? "client_secret_post"
      : "none";
  if (client.clientType === "public") {
    // A public client has no secret; one that sends a secret is misconfigured or an impostor.
    if (secret !== undefined) return failedAs(invalidClient("Public clients do not authenticate with a secret"));
    return { client, method: "none" };
  }
  if (secret === undefined) return failedAs(invalidClient("This client must authenticate with its secret"));
  if (!credentialMatches(secret, client.secretHash)) return failedAs(invalidClient());
  return { client, method };
}
