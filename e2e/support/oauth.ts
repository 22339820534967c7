/**
 * Helpers for protocol tests: register clients in the server's database, sign a user in over HTTP
 * (next-auth's credentials endpoint, as a browser would), and a real relying party (openid-client).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { request as playwrightRequest, type APIRequestContext } from "@playwright/test";
import * as client from "openid-client";
import { createApplication } from "../../lib/applications/commands.ts";
import { systemActor } from "../../lib/audit/record.ts";
import type { Db } from "../../lib/db/client.ts";
import { uniqueName } from "./names.ts";

export { client };

export const callback = "http://127.0.0.1/callback";

export interface RegisteredClient {
  id: string;
  clientId: string;
  clientSecret?: string;
}

export async function registerClient(db: Db, input: Record<string, unknown> = {}): Promise<RegisteredClient> {
  const result = await createApplication(
    db,
    {
      name: uniqueName("RP"),
      clientType: "confidential",
      grantTypes: ["authorization_code", "refresh_token"],
      redirectUris: [callback],
      postLogoutRedirectUris: ["http://127.0.0.1/signed-out"],
      algorithm: "RS256",
      ...input,
    },
    systemActor,
  );
  if (!result.ok) throw new Error(`registerClient: ${JSON.stringify(result.errors)}`);
  return { id: result.application.id, clientId: result.application.clientId, clientSecret: result.clientSecret };
}

/** An openid-client configuration from the server's discovery document. */
export async function relyingParty(baseURL: string, registered: RegisteredClient): Promise<client.Configuration> {
  const auth = registered.clientSecret ? client.ClientSecretBasic(registered.clientSecret) : client.None();
  return client.discovery(new URL(baseURL), registered.clientId, registered.clientSecret, auth, {
    execute: [client.allowInsecureRequests],
  });
}

/** An HTTP client holding a signed-in session for the given user. */
export async function signedInSession(baseURL: string, email: string, password: string): Promise<APIRequestContext> {
  const session = await playwrightRequest.newContext({ baseURL });
  const { csrfToken } = (await (await session.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const response = await session.post("/api/auth/callback/credentials", {
    form: { csrfToken, email, password, json: "true" },
    maxRedirects: 0,
  });
  if (response.status() >= 400) throw new Error(`sign-in failed: ${response.status()}`);
  const me = await (await session.get("/api/auth/session")).json();
  if (!me?.user) throw new Error("sign-in did not create a session");
  return session;
}

/** Follows the authorization endpoint's answer without following it off-site: returns Location. */
export async function authorize(session: APIRequestContext, url: URL): Promise<URL> {
  const response = await session.get(url.pathname + url.search, { maxRedirects: 0 });
  const location = response.headers()["location"];
  if (!location)
    throw new Error(
      `expected a redirect from ${url}, got ${response.status()}: ${(await response.text()).slice(0, 200)}`,
    );
  return new URL(location, url);
}

export interface CodeFlow {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

export async function codeFlowStart(
  config: client.Configuration,
  extra: Record<string, string> = {},
): Promise<CodeFlow> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: callback,
    scope: "openid profile email",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** Raw POST to an endpoint with a form body, for the negative tests openid-client would refuse to send. */
export async function postForm(
  baseURL: string,
  path: string,
  form: Record<string, string> | string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const body = typeof form === "string" ? form : new URLSearchParams(form).toString();
  const response = await fetch(new URL(path, baseURL), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    parsed = { raw: text };
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export function basic(clientId: string, secret: string): Record<string, string> {
  return {
    authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`,
  };
}

export interface CallbackServer {
  /** The redirect URI to send: the registered loopback URI on this server's port (RFC 8252 §7.3). */
  redirectUri: string;
  /** The last URL the browser was sent back to. */
  last(): URL | null;
  close(): Promise<void>;
}

/** A real client callback on a loopback port, answering "Back at the client". */
export async function startCallbackServer(): Promise<CallbackServer> {
  let last: URL | null = null;
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/callback") {
      response.writeHead(404).end();
      return;
    }
    last = url;
    response.writeHead(200, { "content-type": "text/html" });
    response.end("<!doctype html><title>Client callback</title><p>Back at the client</p>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    last: () => (last ? new URL(`http://127.0.0.1:${port}${last.pathname}${last.search}`) : null),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
