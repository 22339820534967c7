/**
 * The session cookie next-auth writes at sign-in: an encrypted JWT (next-auth/jwt) whose `sid`
 * claim is the session's secret (lib/sessions). Everything that asks "who is signed in" reads it
 * here and looks the session up in the database; next-auth's own session reads are not used.
 */
import { decode } from "next-auth/jwt";
import { sessionSecret } from "../config/secrets.ts";
import { settings } from "../config/settings.ts";

/** Secure cookies (and their __Secure- name) whenever the public URL is https. */
export function useSecureCookies(): boolean {
  return settings().publicUrl.startsWith("https://");
}

function sessionCookieName(): string {
  return `${useSecureCookies() ? "__Secure-" : ""}next-auth.session-token`;
}

const anySessionCookie = /^(__Secure-|__Host-)?next-auth\.session-token(\.\d+)?$/;

export function isSessionCookie(name: string): boolean {
  return anySessionCookie.test(name);
}

/** The cookie's value: whole, or next-auth's chunks (name.0, name.1, …) joined in order. */
function cookieValue(cookies: ReadonlyMap<string, string>): string | null {
  const name = sessionCookieName();
  const whole = cookies.get(name);
  if (whole) return whole;
  let joined = "";
  for (let index = 0; cookies.has(`${name}.${index}`); index++) joined += cookies.get(`${name}.${index}`);
  return joined || null;
}

/** The session secret a request's cookies carry, or null (no cookie, not ours, tampered, expired). */
export async function sessionSecretFrom(cookies: ReadonlyMap<string, string>): Promise<string | null> {
  const token = cookieValue(cookies);
  if (!token) return null;
  try {
    const payload = await decode({ token, secret: sessionSecret(settings()) });
    return typeof payload?.sid === "string" ? payload.sid : null;
  } catch {
    return null;
  }
}

/** Cookies from a Cookie header, as next-auth's credentials callback hands them over. */
export function parseCookieHeader(header: unknown): Map<string, string> {
  const cookies = new Map<string, string>();
  if (typeof header !== "string") return cookies;
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    const name = part.slice(0, at).trim();
    if (!cookies.has(name)) cookies.set(name, part.slice(at + 1).trim());
  }
  return cookies;
}
