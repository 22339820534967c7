import NextAuth from "next-auth";
import { cookies } from "next/headers";
import type { NextRequest } from "next/server";
import { authOptions } from "@/lib/web/auth-options";
import { refuseAuthRequest } from "@/lib/web/auth-request";

type Context = { params: Promise<{ nextauth: string[] }> };

const callbackUrlCookies = ["next-auth.callback-url", "__Secure-next-auth.callback-url"];

async function handler(request: NextRequest, context: Context) {
  const params = await context.params;
  const jar = await cookies();
  const refusal = refuseAuthRequest({
    method: request.method,
    url: request.nextUrl,
    segments: params.nextauth,
    contentType: request.headers.get("content-type"),
    callbackUrlCookie: callbackUrlCookies.map((name) => jar.get(name)?.value).find((value) => value !== undefined),
  });
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
