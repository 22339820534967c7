/**
 * The HTTP server `npm start` runs: Next.js for every page and route, except the protocol's
 * machine-to-machine endpoints, which are dispatched straight to lib/oauth/routes.ts (the same
 * endpoints Next's route handlers in app/ serve in development), skipping Next's router.
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
import { strictTransportSecurity } from "./lib/web/content-security-policy.ts";
import {
  bodyTooLarge,
  decodeBody,
  errorResponse,
  failureResponse,
  maxBodyBytes,
  type HttpRequest,
  type HttpResponse,
} from "./lib/oauth/http.ts";
import { protocolRoutes, type EndpointHandler, type Method } from "./lib/oauth/routes.ts";
import { protocol } from "./lib/server/protocol.ts";

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

function toHttpRequest(incoming: IncomingMessage, body: Buffer): HttpRequest {
  return {
    method: incoming.method ?? "GET",
    header(name) {
      const value = incoming.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    },
    text: async () => decodeBody(body),
  };
}

/** The headers every answer of the machine endpoints carries (lib/web/security-headers.json). */
const machineHeaders: Record<string, string> = Object.fromEntries(
  [...securityHeaders.everyResponse, ...securityHeaders.machineEndpoints].map(({ key, value }) => [key, value]),
);

function send(outgoing: ServerResponse, response: HttpResponse): void {
  const headers: Record<string, string | number> = { ...machineHeaders };
  Object.assign(headers, response.headers);
  // RFC 9110 §8.6: no Content-Length on a 204.
  if (response.status !== 204) headers["Content-Length"] = Buffer.byteLength(response.body);
  outgoing.writeHead(response.status, headers);
  outgoing.end(response.body);
}

async function dispatch(handler: EndpointHandler, incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  try {
    const body = await readBody(incoming);
    if (body === null) {
      // Answer, then drop the connection rather than read the rest of an oversized upload.
      outgoing.shouldKeepAlive = false;
      outgoing.on("finish", () => incoming.destroy());
      send(outgoing, errorResponse(bodyTooLarge()));
      return;
    }
    send(outgoing, await handler(protocol(), toHttpRequest(incoming, body)));
  } catch (error) {
    // An error outside an endpoint's own handling (the JWKS's origin check, a preflight's lookup).
    if (!outgoing.headersSent) send(outgoing, failureResponse(error, "Direct route"));
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
  const { trustProxy, publicUrl } = settings();
  const hsts = strictTransportSecurity(publicUrl);
  const server = createServer((incoming, outgoing) => {
    // Every answer, Next's and ours: whether the site is https is known only now, not at build time.
    if (hsts) outgoing.setHeader("Strict-Transport-Security", hsts);
    // The audit log's client address (lib/request-ip.ts): the socket's, unless a trusted proxy
    // in front reports it. Next keeps an X-Forwarded-For it finds, even one a client made up.
    if (!trustProxy) incoming.headers["x-forwarded-for"] = incoming.socket.remoteAddress ?? "";
    const path = incoming.url?.split("?")[0] ?? "";
    const handler = dev ? undefined : protocolRoutes.get(path)?.[incoming.method as Method];
    if (handler) void dispatch(handler, incoming, outgoing);
    else void handle(incoming, outgoing);
  });
  await new Promise<void>((resolve) => server.listen(port, hostname, resolve));
  return server;
}
