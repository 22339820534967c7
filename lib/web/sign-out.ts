/** Ends the next-auth session from the server side (for RP-initiated logout). */
import { cookies } from "next/headers";

const sessionCookie = /^(__Secure-)?next-auth\.session-token(\.\d+)?$/;

export async function endSession(): Promise<void> {
  const jar = await cookies();
  for (const cookie of jar.getAll()) {
    if (sessionCookie.test(cookie.name)) jar.delete(cookie.name);
  }
}
