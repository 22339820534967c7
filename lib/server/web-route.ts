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
  readWebBody,
  type HttpRequest,
  type HttpResponse,
} from "../oauth/http.ts";
import { OAuthError } from "../oauth/errors.ts";
import type { Endpoint, EndpointHandler } from "../oauth/routes.ts";
import { protocol } from "./protocol.ts";

/** Reads at most maxBodyBytes of the body; a larger one is refused without reading the rest. */
async function readLimited(request: Request): Promise<string> {
  const body = await readWebBody(request, maxBodyBytes);
  if (body === null) throw bodyTooLarge();
  return decodeBody(body);
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
