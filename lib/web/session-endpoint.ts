/**
 * GET (and POST) /api/auth/session, in place of next-auth's: the session as next-auth's client
 * expects it (`{}` when signed out), checked against the database like every other read. Unlike
 * next-auth's, it never re-issues the cookie, so the cookie keeps the expiry it got at sign-in (the
 * session's absolute lifetime) instead of sliding forward with each call. A cookie whose session
 * has ended is expired.
 */
import { cookies } from "next/headers";
import { currentSession } from "./session.ts";
import { clearSessionCookies } from "./sign-out.ts";
import { isSessionCookie } from "./session-cookie.ts";

const noStore = { "cache-control": "private, no-cache, no-store", pragma: "no-cache", expires: "0" };

export async function sessionEndpoint(): Promise<Response> {
  const session = await currentSession();
  if (!session) {
    if ((await cookies()).getAll().some((cookie) => isSessionCookie(cookie.name))) await clearSessionCookies();
    return Response.json({}, { headers: noStore });
  }
  return Response.json(
    {
      user: { name: session.user.name || null, email: session.user.email },
      expires: session.expiresAt.toISOString(),
    },
    { headers: noStore },
  );
}
