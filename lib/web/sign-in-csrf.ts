/**
 * next-auth's CSRF token, made before the sign-in page renders, so that its form works as a plain
 * POST to next-auth's credentials callback before (or without) any JavaScript: next-auth accepts
 * the POST only when the body's csrfToken matches its double-submit cookie. next-auth 4 does not
 * export how it makes that cookie (core/lib/csrf-token.js, checked against 4.24.15), so its format is
 * repeated here: `token|sha256(token + secret)`, in a host-only, HttpOnly, SameSite=Lax cookie.
 * e2e/sign-in.spec.ts signs in through the plain form and fails if the two ever differ.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** The request header in which proxy.ts hands the sign-in page its token. */
export const csrfTokenHeader = "x-portcullis-csrf-token";

export interface CsrfCookie {
  name: string;
  secure: boolean;
}

/** next-auth's cookie: secure (and __Host-) when its URL is https, as next-auth decides it. */
export function csrfCookie(authUrl: string): CsrfCookie {
  const secure = authUrl.toLowerCase().startsWith("https://");
  return { name: `${secure ? "__Host-" : ""}next-auth.csrf-token`, secure };
}

function digest(token: string, secret: string): string {
  return createHash("sha256").update(`${token}${secret}`).digest("hex");
}

/**
 * The token of a valid cookie, or a new token and the cookie value to set. Like next-auth, a cookie
 * that does not verify is replaced.
 */
export function csrfToken(cookieValue: string | undefined, secret: string): { token: string; cookie?: string } {
  const [token, hash] = cookieValue?.split("|") ?? [];
  if (token && hash && /^[0-9a-f]{64}$/.test(hash)) {
    const expected = Buffer.from(digest(token, secret), "hex");
    if (timingSafeEqual(expected, Buffer.from(hash, "hex"))) return { token };
  }
  const fresh = randomBytes(32).toString("hex");
  return { token: fresh, cookie: `${fresh}|${digest(fresh, secret)}` };
}
