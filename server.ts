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
import { createServer, IncomingMessage, type Server, type ServerResponse } from "node:http";
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
import { log } from "./lib/log/logger.ts";
import { formClientId, observeRequest, type RequestNotes } from "./lib/server/access-log.ts";
import { gracefulClose } from "./lib/server/graceful-close.ts";
import { operationalRoute } from "./lib/server/operational-routes.ts";
import { flushUsage, protocol } from "./lib/server/protocol.ts";
import { closeDatabase } from "./lib/db/client.ts";
import { trackOutage } from "./lib/server/outage-scope.ts";
import { authorizationOutcome, withDecidedOutcome, type AuthorizationOutcome } from "./lib/server/authorization.ts";
import { parseCookieHeader } from "./lib/web/session-cookie.ts";
import { retryAfterSeconds } from "./lib/database-unavailable.ts";
import {
  isActionRequest,
  maxActionBodyBytes,
  refuseByBody,
  refuseByHeaders,
  type Refusal,
} from "./lib/server/request-gate.ts";

/** The body, or null when it is larger than `maxBytes` (reading stops there). */
function readBody(incoming: IncomingMessage, maxBytes = maxBodyBytes): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const tooLarge = () => {
      incoming.removeAllListeners("data");
      incoming.pause();
      resolve(null);
    };
    if (Number(incoming.headers["content-length"] ?? 0) > maxBytes) return tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    incoming.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge();
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

async function dispatch(
  handler: EndpointHandler,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  notes: RequestNotes,
): Promise<void> {
  try {
    const body = await readBody(incoming);
    if (body === null) {
      // Answer, then drop the connection rather than read the rest of an oversized upload.
      outgoing.shouldKeepAlive = false;
      outgoing.on("finish", () => incoming.destroy());
      send(outgoing, errorResponse(bodyTooLarge()));
      return;
    }
    // Only a body that names a client is decoded here (the handler decodes it again).
    if (body.includes("client_id=")) notes.clientId = formClientId(decodeBody(body));
    send(outgoing, await handler(protocol(), toHttpRequest(incoming, body)));
  } catch (error) {
    // An error outside an endpoint's own handling (the JWKS's origin check, a preflight's lookup).
    if (!outgoing.headersSent) send(outgoing, failureResponse(error, "Direct route"));
    else outgoing.destroy();
  }
}

function refusalResponse(refusal: Refusal): HttpResponse {
  return {
    status: refusal.status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...refusal.headers },
    body: refusal.message,
  };
}

function refuse(incoming: IncomingMessage, outgoing: ServerResponse, refusal: Refusal): void {
  // The body (if any) is left unread: answer, then close the connection.
  outgoing.shouldKeepAlive = false;
  outgoing.on("finish", () => incoming.destroy());
  send(outgoing, refusalResponse(refusal));
}

/** The same request with its body already read, for Next to read again. */
function replay(incoming: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(incoming.socket);
  copy.method = incoming.method;
  copy.url = incoming.url;
  copy.httpVersion = incoming.httpVersion;
  copy.httpVersionMajor = incoming.httpVersionMajor;
  copy.httpVersionMinor = incoming.httpVersionMinor;
  copy.headers = incoming.headers;
  copy.rawHeaders = incoming.rawHeaders;
  copy.push(body);
  copy.push(null);
  // Else ending the copy counts as an aborted upload, which destroys the socket.
  copy.complete = true;
  return copy;
}

type NodeHandler = (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void>;

const tooLarge: Refusal = { status: 413, message: "The request body is too large." };

/** A server action request, read and checked (lib/server/request-gate.ts) before Next parses it. */
async function handleAction(handle: NodeHandler, incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
  try {
    const body = await readBody(incoming, maxActionBodyBytes);
    const refusal = body ? await refuseByBody(incoming.headers, body) : tooLarge;
    if (refusal) refuse(incoming, outgoing, refusal);
    else await handle(replay(incoming, body!), outgoing);
  } catch (error) {
    log().error({ err: error }, "server action request failed");
    if (!outgoing.headersSent) send(outgoing, refusalResponse({ status: 500, message: "Internal server error." }));
    else outgoing.destroy();
  }
}

/**
 * GET /oauth/authorize: the redirects (a code, an error for the client, a sign-in) are answered
 * here; the consent screen and the errors shown to the user are pages, which Next renders from the
 * outcome decided here (see lib/server/authorization.ts). Any failure here is left to Next too,
 * which then decides itself.
 */
async function authorize(incoming: IncomingMessage, outgoing: ServerResponse, next: NodeHandler): Promise<void> {
  let outcome: AuthorizationOutcome;
  try {
    const query = new URL(incoming.url ?? "/", "http://localhost").searchParams;
    outcome = await authorizationOutcome(protocol(), query, parseCookieHeader(incoming.headers.cookie));
  } catch {
    // Next answers it, with its own error handling.
    await next(incoming, outgoing);
    return;
  }
  if (outcome.kind === "redirect") {
    send(outgoing, { status: 302, headers: { Location: outcome.location, "Cache-Control": "no-store" }, body: "" });
    return;
  }
  await withDecidedOutcome(outcome, () => next(incoming, outgoing));
}

/**
 * A page or action whose request met a database outage is answered 503 with Retry-After (a
 * "temporarily unavailable" page rendered with 200, or an error nothing caught rendered with 500),
 * so monitors and clients see what happened. Redirects stay as they are: the authorize page sends
 * `temporarily_unavailable` to the client that way.
 */
function answerOutagesAs503(handle: NodeHandler): NodeHandler {
  return (incoming, outgoing) =>
    trackOutage((outcome) => {
      const writeHead = outgoing.writeHead;
      outgoing.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse["writeHead"]>) {
        const [status] = args;
        if (outcome.databaseUnavailable && (status < 300 || status >= 500)) {
          args[0] = 503;
          this.setHeader("Retry-After", String(retryAfterSeconds));
          this.setHeader("Cache-Control", "no-store");
        }
        return writeHead.apply(this, args);
      } as ServerResponse["writeHead"];
      return handle(incoming, outgoing);
    });
}

export interface ServerOptions {
  port: number;
  hostname?: string;
  dev?: boolean;
}

export interface RunningServer {
  server: Server;
  /**
   * Stops accepting, lets the requests in flight finish (for at most `timeoutMs`; lib/server/
   * graceful-close.ts), writes the token counts not yet written, and closes the database (the
   * SQLite connection and its checkpointer, or the PostgreSQL pool).
   */
  stop(timeoutMs: number): Promise<{ cutOff: number }>;
}

/** Prepares Next and listens. In development everything goes through Next (hot reload). */
export async function startServer({ port, hostname, dev = false }: ServerOptions): Promise<RunningServer> {
  const app = next({ dev, dir: import.meta.dirname, port, hostname });
  await app.prepare();
  const handle = answerOutagesAs503(app.getRequestHandler());
  const { trustProxy, publicUrl } = settings();
  const hsts = strictTransportSecurity(publicUrl);
  const server = createServer((incoming, outgoing) => {
    // Every answer, Next's and ours: whether the site is https is known only now, not at build time.
    if (hsts) outgoing.setHeader("Strict-Transport-Security", hsts);
    // The audit log's client address (lib/request-ip.ts): the socket's, unless a trusted proxy
    // in front reports it. Next keeps an X-Forwarded-For it finds, even one a client made up.
    if (!trustProxy) incoming.headers["x-forwarded-for"] = incoming.socket.remoteAddress ?? "";
    const path = incoming.url?.split("?")[0] ?? "";
    const method = incoming.method ?? "GET";
    const notes = observeRequest(incoming, outgoing, path);
    // Route handlers (the protocol's and next-auth's) never run server actions; pages may.
    const page = !protocolRoutes.has(path) && !path.startsWith("/api/");
    const refusal = refuseByHeaders(method, path, incoming.headers, page);
    if (refusal) return refuse(incoming, outgoing, refusal);
    const operational = dev || method !== "GET" ? undefined : operationalRoute(path);
    const handler: EndpointHandler | undefined = operational
      ? (_ctx, request) => operational(request)
      : dev
        ? undefined
        : protocolRoutes.get(path)?.[method as Method];
    if (handler) void dispatch(handler, incoming, outgoing, notes);
    else if (!dev && method === "GET" && path === "/oauth/authorize") void authorize(incoming, outgoing, handle);
    else if (page && isActionRequest(method, incoming.headers)) void handleAction(handle, incoming, outgoing);
    else void handle(incoming, outgoing);
  });
  const closing = gracefulClose(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    server,
    async stop(timeoutMs) {
      const { cutOff } = await closing.close(timeoutMs);
      await flushUsage();
      await closeDatabase();
      return { cutOff };
    },
  };
}
