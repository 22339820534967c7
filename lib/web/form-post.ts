/**
 * Plain form POSTs to route handlers (the consent screen's answer, the device pages): no server
 * action, so they behave the same before the page's JavaScript has hydrated, after, and without it.
 */
import { settings } from "../config/settings.ts";
import { readWebBody } from "../oauth/http.ts";

/** A form holds one request's few fields; no real one comes near this. */
const maxBodyBytes = 64 * 1024;

export function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "no-store" } });
}

export function refuse(status: number, message: string): Response {
  return new Response(message, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}

/**
 * Cross-site request forgery: browsers send Origin with every form POST; it must be this site
 * (the public URL, or the host the browser addressed), as Next requires of server actions.
 */
export function fromThisSite(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin || origin === "null") return false;
  try {
    const { host } = new URL(origin);
    return host === new URL(settings().publicUrl).host || host === request.headers.get("host");
  } catch {
    return false;
  }
}

/** The form's fields, or null when the body is not a form or is too large. */
export async function readFormPost(request: Request): Promise<URLSearchParams | null> {
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return null;
  const body = await readWebBody(request, maxBodyBytes);
  return body === null ? null : new URLSearchParams(body.toString("utf8"));
}

/** A path on this site as an absolute URL (a redirect's Location). */
export const siteUrl = (path: string) => new URL(path, settings().publicUrl).toString();
