/** Ends the next-auth session from the server side (RP-initiated logout, password change). */
import { cookies } from "next/headers";

const sessionCookie = /^(__Secure-|__Host-)?next-auth\.session-token(\.\d+)?$/;

export async function endSession(): Promise<void> {
  const jar = await cookies();
  for (const cookie of jar.getAll()) {
    if (!sessionCookie.test(cookie.name)) continue;
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
