import NextAuth from "next-auth";
import { authOptions } from "@/lib/web/auth-options";
import { sessionEndpoint } from "@/lib/web/session-endpoint";

type Context = { params: Promise<{ nextauth: string[] }> };

async function handler(request: Request, context: Context) {
  const params = await context.params;
  // Ours, not next-auth's: it checks the session in the database and never re-issues the cookie.
  if (params.nextauth.length === 1 && params.nextauth[0] === "session") return sessionEndpoint();
  // next-auth 4 reads params synchronously; Next 16 passes them as a promise.
  return NextAuth(request as never, { params } as never, authOptions());
}

export { handler as GET, handler as POST };
