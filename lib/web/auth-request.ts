/**
 * What next-auth (app/api/auth/[...nextauth]/route.ts) would answer with a 500, refused before it
 * runs with the 4xx the request deserves:
 * - a callbackUrl (query or cookie) that is not an http(s) URL or path: next-auth's config check
 *   (core/lib/assert.js, same test) fails it as a server configuration error; in a form body, its
 *   default redirect callback throws on it;
 * - an `error` that is not a plain code: next-auth copies it into a Location header unencoded, which
 *   throws on characters past Latin-1 (and must never carry a line break);
 * - a JSON body: next-auth parses it without catching a syntax error, and nothing of ours sends one
 *   (next-auth's own client posts forms);
 * - a GET to the credentials callback (it only takes the sign-in form's POST), or a path longer than
 *   action/provider.
 */
export interface AuthRequest {
  method: string;
  url: URL;
  /** The catch-all route's segments: action, then provider (or error code). */
  segments: string[];
  contentType: string | null;
  /** The value of next-auth's callback-url cookie, if the request carries one. */
  callbackUrlCookie: string | undefined;
  /** The callbackUrl fields of a form body. */
  bodyCallbackUrls: string[];
}

export interface AuthRefusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

// next-auth's own test (core/lib/assert.js isValidHttpUrl).
function isValidCallbackUrl(value: string): boolean {
  try {
    return /^https?:/.test(new URL(value, value.startsWith("/") ? "http://localhost" : undefined).protocol);
  } catch {
    return false;
  }
}

const errorCode = /^[A-Za-z0-9_-]{0,64}$/;

export function refuseAuthRequest(request: AuthRequest): AuthRefusal | null {
  const [action, second, ...rest] = request.segments;
  if (rest.length > 0) return { status: 404, message: "Not found." };
  if (action === "callback" && request.method !== "POST") {
    return { status: 405, message: "Method not allowed.", headers: { Allow: "POST" } };
  }
  for (const value of [...request.url.searchParams.getAll("callbackUrl"), ...request.bodyCallbackUrls]) {
    if (!isValidCallbackUrl(value)) return { status: 400, message: "Bad request: callbackUrl is not a valid URL." };
  }
  if (request.callbackUrlCookie !== undefined && !isValidCallbackUrl(request.callbackUrlCookie)) {
    return { status: 400, message: "Bad request: the callback URL cookie is not a valid URL." };
  }
  const errors = request.url.searchParams.getAll("error");
  if (action === "error" && second !== undefined) errors.push(second);
  if (errors.some((error) => !errorCode.test(error)))
    return { status: 400, message: "Bad request: unknown error code." };
  if (request.method === "POST" && request.contentType?.toLowerCase().includes("application/json")) {
    return { status: 415, message: "Unsupported media type: send a form (application/x-www-form-urlencoded)." };
  }
  return null;
}
