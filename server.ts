/**
 * The HTTP server `npm start` runs: Next.js for every page and route, except the protocol's
 * machine-to-machine endpoints, which are dispatched straight to their own route handlers (the
 * same modules Next serves in development), skipping Next's router.
 *
 * Why (measured with bench/run.ts on our 2-core machines, SQLite, 10 connections, same build):
 * Next's request pipeline alone costs ~1.0 ms of CPU per request: its trivial route handler
 * (/api/health) tops out at ~1,040 req/s, so no endpoint behind it can reach the 1,000 req/s the
 * token endpoint must sustain; through Next the token endpoint did ~690 req/s. Dispatched here, the
 * same handler did ~1,600–2,100 req/s. Everything a browser renders (pages, server actions, the
 * authorize and logout pages, next-auth) still goes through Next.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import next from "next";
import securityHeaders from "./lib/web/security-headers.json" with { type: "json" };
import { settings } from "./lib/config/settings.ts";
import { errorResponse, maxBodyBytes } from "./lib/oauth/http.ts";
import { OAuthError } from "./lib/oauth/errors.ts";
import * as introspect from "./app/oauth/introspect/route.ts";
import * as jwks from "./app/oauth/jwks/route.ts";
import * as revoke from "./app/oauth/revoke/route.ts";
import * as token from "./app/oauth/token/route.ts";
import * as userinfo from "./app/oauth/userinfo/route.ts";
import * as openidConfiguration from "./app/.well-known/openid-configuration/route.ts";
import * as authorizationServer from "./app/.well-known/oauth-authorization-server/route.ts";

type Handler = (request: Request) => Response | Promise<Response>;
type RouteModule = Partial<Record<"GET" | "POST" | "OPTIONS", Handler>>;

const directRoutes = new Map<string, RouteModule>([
  ["/oauth/token", token],
  ["/oauth/revoke", revoke],
  ["/oauth/introspect", introspect],
  ["/oauth/userinfo", userinfo],
  ["/oauth/jwks", jwks],
  ["/.well-known/openid-configuration", openidConfiguration],
  ["/.well-known/oauth-authorization-server", authorizationServer],
]);

/** The body, or null when it is larger than any protocol request may be (reading stops there). */
function readBody(incoming: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => {
      incoming.removeAllListeners("data");
      incoming.pause();
      resolve(null);
    };
    if (Number(incoming.headers["content-length"] ?? 0) > maxBodyBytes) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) tooLarge();
      else chunks.push(chunk);
    });
    incoming.on("end", () => resolve(Buffer.concat(chunks)));
    incoming.on("error", reject);
  });
}

function toRequest(incoming: IncomingMessage, path: string, body: Buffer): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
  const url = incoming.url ?? "";
  const query = url.includes("?") ? url.slice(url.indexOf("?")) : "";
  // A fixed origin: the handlers need only the path and query, and a malformed Host must not throw.
  return new Request(new URL(`${path}${query}`, "http://localhost"), {
    method: incoming.method,
    headers,
    // A Buffer is a Uint8Array; the DOM typings only want it backed by a plain ArrayBuffer.
    body: hasBody ? (body as Uint8Array<ArrayBuffer>) : undefined,
  });
}

async function send(outgoing: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  for (const { key, value } of securityHeaders) headers[key] = value;
  response.headers.forEach((value, name) => (headers[name] = value));
  outgoing.writeHead(response.status, headers);
  outgoing.end(Buffer.from(await response.arrayBuffer()));
}

const tooLarge = new OAuthError("invalid_request", "The request body is too large", { status: 413 });
const failed = new OAuthError("server_error", "The server could not complete the request");

async function dispatch(
  handler: Handler,
  path: string,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
): Promise<void> {
  try {
    const body = await readBody(incoming);
    if (body === null) {
      // Answer, then drop the connection rather than read the rest of an oversized upload.
      outgoing.shouldKeepAlive = false;
      outgoing.on("finish", () => incoming.destroy());
      await send(outgoing, errorResponse(tooLarge));
      return;
    }
    await send(outgoing, await handler(toRequest(incoming, path, body)));
  } catch (error) {
    console.error("Direct route failed:", error);
    if (!outgoing.headersSent) await send(outgoing, errorResponse(failed));
    else outgoing.destroy();
  }
}

export interface ServerOptions {
  port: number;
  hostname?: string;
  dev?: boolean;
}

/** Prepares Next and listens. In development everything goes through Next (hot reload). */
export async function startServer({ port, hostname, dev = false }: ServerOptions): Promise<Server> {
  const app = next({ dev, dir: import.meta.dirname, port, hostname });
  await app.prepare();
  const handle = app.getRequestHandler();
  const { trustProxy } = settings();
  const server = createServer((incoming, outgoing) => {
    // The audit log's client address (lib/web/request-ip.ts): the socket's, unless a trusted proxy
    // in front reports it. Next keeps an X-Forwarded-For it finds, even one a client made up.
    if (!trustProxy) incoming.headers["x-forwarded-for"] = incoming.socket.remoteAddress ?? "";
    const path = incoming.url?.split("?")[0] ?? "";
    const handler = dev ? undefined : directRoutes.get(path)?.[incoming.method as "GET" | "POST" | "OPTIONS"];
    if (handler) void dispatch(handler, path, incoming, outgoing);
    else void handle(incoming, outgoing);
  });
  await new Promise<void>((resolve) => server.listen(port, hostname, resolve));
  return server;
}
