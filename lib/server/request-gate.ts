/**
 * Checks server.ts makes before Next sees a request, for input Next itself answers with a 500:
 * a method its route handlers do not know (TRACE), a path whose percent-encoding is broken, a POST
 * to a page asking for an RSC payload (no client of Next sends one), and
 * server action requests (a POST with a Next-Action header or a multipart body, which Next tries
 * as a form's action) from another origin, too large, without a length, or whose body it cannot
 * parse. Each gets the 4xx it deserves instead, and a request that passes reaches Next unchanged.
 *
 * The origin rule is Next's own (next/dist/server/app-render/action-handler.js, no
 * serverActions.allowedOrigins configured): the Origin's host must be the first X-Forwarded-Host
 * value, or else the Host header; a request without an Origin passes, as in Next.
 */
import type { IncomingHttpHeaders } from "node:http";
import { createRequire } from "node:module";

type Busboy = NodeJS.WritableStream & {
  on(event: "field", listener: (name: string, value: string) => void): Busboy;
  on(event: "file", listener: (name: string, stream: NodeJS.ReadableStream) => void): Busboy;
  on(event: "error", listener: (error: unknown) => void): Busboy;
  on(event: "close", listener: () => void): Busboy;
};
// The multipart parser Next reads fetch actions with (its own compiled copy of busboy).
const busboy = createRequire(import.meta.url)("next/dist/compiled/busboy") as (options: {
  headers: IncomingHttpHeaders;
  defParamCharset: string;
}) => Busboy;

export interface Refusal {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/** The methods the application answers; Next's route handlers fail on others (TRACE) with a 500. */
const allowedMethods = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"];

/** Next's default server action body limit (serverActions.bodySizeLimit, 1 MB). */
export const maxActionBodyBytes = 1024 * 1024;

const header = (headers: IncomingHttpHeaders, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

function mediaType(headers: IncomingHttpHeaders): string {
  return (header(headers, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/** Whether Next would treat the request as a server action (a fetch action or a form's action). */
export function isActionRequest(method: string, headers: IncomingHttpHeaders): boolean {
  if (method !== "POST") return false;
  return header(headers, "next-action") !== undefined || mediaType(headers) === "multipart/form-data";
}

function decodesAsPath(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Next's client sends the router's state as a URL-encoded JSON array; Next parses it before routing,
 * and on a page that does not exist a header it cannot parse ends in a 500.
 */
function isRouterState(value: string): boolean {
  try {
    return Array.isArray(JSON.parse(decodeURIComponent(value)));
  } catch {
    return false;
  }
}

function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const origin = header(headers, "origin");
  if (origin === undefined) return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  const forwarded = header(headers, "x-forwarded-host")?.split(",")[0]?.trim();
  const host = forwarded || header(headers, "host");
  return originHost !== "" && originHost === host;
}

/**
 * What to answer instead of passing the request on, judged on its request line and headers;
 * `page` says whether the path may be a page's (where Next runs server actions).
 */
export function refuseByHeaders(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  page: boolean,
): Refusal | null {
  if (!allowedMethods.includes(method)) {
    return { status: 405, message: "Method not allowed.", headers: { Allow: allowedMethods.join(", ") } };
  }
  if (!decodesAsPath(path)) return { status: 400, message: "Bad request: the address is not valid." };
  // Next's client asks for a page's RSC payload with GET; its server actions send Next-Action and
  // no RSC header. A form POST with one, to a page that does not exist, trips an invariant in Next.
  if (page && method === "POST" && header(headers, "rsc") !== undefined) {
    return { status: 400, message: "Bad request: unexpected RSC header on a POST." };
  }
  const routerState = header(headers, "next-router-state-tree");
  if (page && routerState !== undefined && !isRouterState(routerState)) {
    return { status: 400, message: "Bad request: the Next-Router-State-Tree header is not valid." };
  }
  if (!page || !isActionRequest(method, headers)) return null;
  // A cross-site form post: Next refuses it too, but with a 500.
  if (!sameOrigin(headers)) return { status: 403, message: "Forbidden: this form was posted from another site." };
  const length = header(headers, "content-length");
  if (length === undefined) return { status: 411, message: "Length required." };
  if (!/^\d+$/.test(length)) return { status: 400, message: "Bad request: invalid Content-Length." };
  if (Number(length) > maxActionBodyBytes) return { status: 413, message: "The request body is too large." };
  return null;
}

/**
 * React's reply format gives strings that start with "$" a meaning: most refer to another part of
 * the body (a Map, a promise, a server reference), and a reference to a part that is not there
 * fails inside React, before the action runs, with a 500. Our actions take plain values and their
 * form's FormData, so these are the only "$" values allowed: an escaped "$", undefined and the
 * special numbers, a date, a bigint, a FormData (its entries are fields of the body) and a
 * temporary reference.
 */
const plainReference = /^\$(\$.*|undefined|Infinity|-Infinity|NaN|-0|D.*|n-?\d+|K[0-9a-f]+|T)$/s;

function isPlainValue(value: unknown): boolean {
  if (typeof value === "string") return !value.startsWith("$") || plainReference.test(value);
  if (Array.isArray(value)) return value.every(isPlainValue);
  if (value !== null && typeof value === "object") return Object.values(value).every(isPlainValue);
  return true;
}

/** Whether a fetch action's root is what React's encodeReply sends for our arguments: a JSON array. */
function isArgumentList(json: string): boolean {
  try {
    const root: unknown = JSON.parse(json);
    return Array.isArray(root) && isPlainValue(root);
  } catch {
    return false;
  }
}

/**
 * What to answer instead of passing a server action request on, judged on its body: a multipart
 * body must parse with the parser Next will use on it (busboy for a fetch action, the Fetch API's
 * for a form posted without JavaScript), and a fetch action's arguments (the body, or a multipart
 * body's field "0") must be the JSON array React's encodeReply sends; Next fails on anything else.
 */
/** A fetch action's multipart fields as Next reads them (busboy), or null when they cannot be read. */
function busboyFields(headers: IncomingHttpHeaders, body: Buffer): Promise<Map<string, string> | null> {
  return new Promise((resolve) => {
    const fields = new Map<string, string>();
    let parser: Busboy;
    try {
      parser = busboy({ headers, defParamCharset: "utf8" });
    } catch {
      return resolve(null);
    }
    parser.on("field", (name, value) => fields.set(name, value));
    parser.on("file", (_name, stream) => stream.resume());
    parser.on("error", () => resolve(null));
    parser.on("close", () => resolve(fields));
    parser.end(body);
  });
}

/** A form post's multipart fields as Next reads them (the Fetch API's parser), or null. */
async function formFields(headers: IncomingHttpHeaders, body: Buffer): Promise<FormData | null> {
  try {
    return await new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": header(headers, "content-type") ?? "" },
      body: new Uint8Array(body),
    }).formData();
  } catch {
    return null;
  }
}

export async function refuseByBody(headers: IncomingHttpHeaders, body: Buffer): Promise<Refusal | null> {
  const fetchAction = header(headers, "next-action") !== undefined;
  const unreadableForm = { status: 400, message: "Bad request: the form data cannot be read." };
  const unreadableArguments = { status: 400, message: "Bad request: the action's arguments cannot be read." };
  if (mediaType(headers) === "multipart/form-data") {
    if (!fetchAction) return (await formFields(headers, body)) ? null : unreadableForm;
    const fields = await busboyFields(headers, body);
    if (!fields) return unreadableForm;
    const root = fields.get("0");
    return root !== undefined && isArgumentList(root) ? null : unreadableArguments;
  }
  if (!fetchAction) return null;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    return unreadableArguments;
  }
  return isArgumentList(text) ? null : unreadableArguments;
}
