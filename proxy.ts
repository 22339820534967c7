/**
 * Runs before the pages that need it:
 * - tells server components which path was requested (Next gives layouts no pathname), so a
 *   sign-in redirect can return the user to the page they asked for. Authorization itself is
 *   checked in pages and actions (lib/web/session.ts), never here;
 * - answers 400 to a dashboard or account address holding NUL: no page address has one, and
 *   PostgreSQL cannot store or even compare text that does (the query would fail with a 500);
 * - turns an authorization request sent as a form POST (OpenID Connect Core §3.1.2.1: GET and POST
 *   must both work) into the same request as a GET, so one page handles both.
 */
import { NextResponse, type NextRequest } from "next/server";
import { settings } from "./lib/config/settings";

export const requestedPathHeader = "x-portcullis-path";

/** The longest query an authorization request posted as a form may become (it is sent back as a URL). */
const maxAuthorizeQuery = 8 * 1024;

function holdsNul(url: URL): boolean {
  return (
    /%00/.test(url.pathname) || [...url.searchParams].some(([name, value]) => `${name}${value}`.includes("\u0000"))
  );
}

export async function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  // The authorization endpoint answers a NUL with its own invalid_request error page.
  if (pathname !== "/oauth/authorize" && holdsNul(request.nextUrl)) {
    return new NextResponse("Bad request: the address contains a NUL character.", {
      status: 400,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  const formPost =
    request.method === "POST" &&
    pathname === "/oauth/authorize" &&
    // The consent screen's own server action posts here too: leave it to Next.
    !request.headers.has("next-action") &&
    request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() === "application/x-www-form-urlencoded";
  if (formPost) {
    // The configured public URL, not the Host header: the address is ours to decide.
    const target = new URL("/oauth/authorize", settings().publicUrl);
    const declared = Number(request.headers.get("content-length") ?? 0);
    if (declared <= maxAuthorizeQuery) target.search = new URLSearchParams(await request.text()).toString();
    // The parameters become the redirect's Location: one too long for a header is refused here
    // rather than sent as a response no client can read.
    if (declared > maxAuthorizeQuery || target.search.length > maxAuthorizeQuery) {
      return new NextResponse("The authorization request is too large.", {
        status: 413,
        headers: { "content-type": "text/plain; charset=utf-8" },
      });
    }
    return NextResponse.redirect(target, 303);
  }
  const headers = new Headers(request.headers);
  headers.set(requestedPathHeader, request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: ["/admin/:path*", "/account/:path*", "/oauth/authorize"] };
