/**
 * Next's route handlers for the protocol endpoints (lib/oauth/routes.ts): Web Request in, Web
 * Response out. `next dev` serves the endpoints through these; `npm start` hands the same paths to
 * server.ts first.
 */
import {
  bodyTooLarge,
  decodeBody,
  errorResponse,
  failureResponse,
  maxBodyBytes,
  type HttpRequest,
  type HttpResponse,
} from "../oauth/http.ts";
import { OAuthError } from "../oauth/errors.ts";
import type { Endpoint, EndpointHandler } from "../oauth/routes.ts";
import { protocol } from "./protocol.ts";

/** Reads at most maxBodyBytes of the body; a larger one is refused without reading the rest. */
async function readLimited(request: Request): Promise<string> {
  if (Number(request.headers.get("content-length") ?? "0") > maxBodyBytes) throw bodyTooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBodyBytes) {
      await reader.cancel();
      throw bodyTooLarge();
    }
    chunks.push(value);
  }
  return decodeBody(Buffer.concat(chunks));
}

function fromWebRequest(request: Request): HttpRequest {
  return { method: request.method, header: (name) => request.headers.get(name), text: () => readLimited(request) };
}

function toWebResponse(response: HttpResponse): Response {
  return new Response(response.body === "" ? null : response.body, {
    status: response.status,
    headers: response.headers,
  });
}

function webHandler(handler: EndpointHandler): (request: Request) => Promise<Response> {
  return async (request) => {
    try {
      return toWebResponse(await handler(protocol(), fromWebRequest(request)));
    } catch (error) {
      // As server.ts: what an endpoint left unhandled (a body too large, the JWKS's origin check).
      return toWebResponse(error instanceof OAuthError ? errorResponse(error) : failureResponse(error, "Route"));
    }
  };
}

/** The route handlers of an endpoint, one per method it answers. */
export function webRoute<E extends Endpoint>(
  endpoint: E,
): { [M in keyof E]-?: (request: Request) => Promise<Response> } {
  return Object.fromEntries(
    Object.entries(endpoint).map(([method, handler]) => [method, webHandler(handler as EndpointHandler)]),
  ) as { [M in keyof E]-?: (request: Request) => Promise<Response> };
}
