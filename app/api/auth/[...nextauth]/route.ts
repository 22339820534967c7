import NextAuth from "next-auth";
import { cookies } from "next/headers";
import type { NextRequest } from "next/server";
import { authOptions } from "@/lib/web/auth-options";
import { refuseAuthRequest } from "@/lib/web/auth-request";
import { sessionEndpoint } from "@/lib/web/session-endpoint";

type Context = { params: Promise<{ nextauth: string[] }> };

const callbackUrlCookies = ["next-auth.callback-url", "__Secure-next-auth.callback-url"];

/** A form POST's callbackUrl fields, read from a copy (next-auth reads the body itself). */
async function formCallbackUrls(request: NextRequest): Promise<string[]> {
  const form =
    request.method === "POST" && request.headers.get("content-type")?.includes("application/x-www-form-urlencoded");
  return form ? new URLSearchParams(await request.clone().text()).getAll("callbackUrl") : [];
}

async function handler(request: NextRequest, context: Context) {
  const params = await context.params;
  const jar = await cookies();
  const refusal = refuseAuthRequest({
    method: request.method,
    url: request.nextUrl,
    segments: params.nextauth,
    contentType: request.headers.get("content-type"),
    callbackUrlCookie: callbackUrlCookies.map((name) => jar.get(name)?.value).find((value) => value !== undefined),
    bodyCallbackUrls: await formCallbackUrls(request),
  });
  // Ours, not next-auth's: it checks the session in the database and never re-issues the cookie.
  if (!refusal && params.nextauth.length === 1 && params.nextauth[0] === "session") return sessionEndpoint();
  if (refusal) {
    return new Response(refusal.message, {
      status: refusal.status,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...refusal.headers },
    });
  }
  // next-auth 4 reads params synchronously; Next 16 passes them as a promise.
  return NextAuth(request as never, { params } as never, authOptions());
}

export { handler as GET, handler as POST };
