/**
 * Ends the request's session on the server (revoked in the database, so a copy of the cookie stops
 * working too) and expires its cookie: the Sign out button, RP-initiated logout, a password change.
 */
import { cookies, headers } from "next/headers";
import { db } from "../db/client.ts";
import { signOutSession } from "../sessions/commands.ts";
import { clientIp } from "../request-ip.ts";
import { currentSessionSecret } from "./session.ts";
import { isSessionCookie } from "./session-cookie.ts";

/** Expires every session cookie the request carried (not the database row: see endSession). */
export async function clearSessionCookies(): Promise<void> {
  const jar = await cookies();
  for (const cookie of jar.getAll()) {
    if (!isSessionCookie(cookie.name)) continue;
    // Expire it with the attributes it was set with: browsers ignore a __Secure- cookie without
    // Secure, so a plain delete would leave the session alive on HTTPS deployments.
    jar.set(cookie.name, "", {
      path: "/",
      maxAge: 0,
      httpOnly: true,
      sameSite: "lax",
      secure: cookie.name.startsWith("__Secure-") || cookie.name.startsWith("__Host-"),
    });
  }
}

export async function endSession(): Promise<void> {
  await signOutSession(db(), await currentSessionSecret(), clientIp(await headers()));
  await clearSessionCookies();
}
