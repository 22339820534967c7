/**
 * Runs before every page (not before static assets, next-auth's API or the protocol's machine
 * endpoints: see the matcher), and stays cheap:
 * - sets the page's Content-Security-Policy with a fresh nonce (lib/web/content-security-policy.ts).
 *   Next reads the nonce from the request's copy of the policy and puts it on its own scripts; the
 *   consent and sign-out pages add the registered addresses their forms may lead to (one client
 *   lookup, lib/web/form-targets.ts);
 * - gives the sign-in page next-auth's CSRF token (and sets its cookie when missing), so the form
 *   works as a plain POST without JavaScript (lib/web/sign-in-csrf.ts);
 * - tells server components which path was requested (Next gives layouts no pathname), so a
 *   sign-in redirect can return the user to the page they asked for. Authorization itself is
 *   checked in pages and actions (lib/web/session.ts), never here;
 * - answers 400 to a dashboard or account address holding NUL: no page address has one, and
 *   PostgreSQL cannot store or even compare text that does (the query would fail with a 500);
 * - turns an authorization request sent as a form POST (OpenID Connect Core §3.1.2.1: GET and POST
 *   must both work) into the same request as a GET, so one page handles both.
 */
import { randomBytes } from "node:crypto";
import { NextResponse, type NextRequest } from "next/server";
import { sessionSecret } from "./lib/config/secrets";
import { settings } from "./lib/config/settings";
import { contentSecurityPolicy } from "./lib/web/content-security-policy";
import { formTargets, pagesWithFormTargets } from "./lib/web/form-targets";
import { csrfCookie, csrfToken, csrfTokenHeader } from "./lib/web/sign-in-csrf";

export const requestedPathHeader = "x-portcullis-path";

/** next-auth's secret (lib/web/auth-options.ts uses the same), read once. */
let secret: string | undefined;

/** The longest query an authorization request posted as a form may become (it is sent back as a URL). */
const maxAuthorizeQuery = 8 * 1024;

function holdsNul(url: URL): boolean {
  return (
    /%00/.test(url.pathname) || [...url.searchParams].some(([name, value]) => `${name}${value}`.includes("\u0000"))
  );
}

export async function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  if (/^\/(admin|account)(\/|$)/.test(pathname) && holdsNul(request.nextUrl)) {
    return new NextResponse("Bad request: the address contains a NUL character.", {
      status: 400,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  }
  const formPost =
    request.method === "POST" &&
    pathname === "/oauth/authorize" &&
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

  const policy = contentSecurityPolicy({
    nonce: randomBytes(16).toString("base64"),
    formTargets:
      request.method === "GET" && pagesWithFormTargets.has(pathname)
        ? await formTargets(pathname, request.nextUrl.searchParams)
        : [],
    development: process.env.NODE_ENV === "development",
  });
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  headers.set(requestedPathHeader, request.nextUrl.pathname + request.nextUrl.search);
  headers.delete(csrfTokenHeader);

  let newCsrfCookie: { name: string; value: string; secure: boolean } | undefined;
  if (pathname === "/login") {
    const config = settings();
    // next-auth's own URL decides its cookie names (lib/web/auth-options.ts sets it to the public URL).
    const cookie = csrfCookie(process.env.NEXTAUTH_URL ?? config.publicUrl);
    secret ??= sessionSecret(config);
    const { token, cookie: value } = csrfToken(request.cookies.get(cookie.name)?.value, secret);
    headers.set(csrfTokenHeader, token);
    if (value) newCsrfCookie = { name: cookie.name, value, secure: cookie.secure };
  }

  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  if (newCsrfCookie) {
    const { name, value, secure } = newCsrfCookie;
    response.cookies.set(name, value, { httpOnly: true, sameSite: "lax", path: "/", secure });
  }
  return response;
}

export const config = {
  matcher: [
    // Pages only: not Next's assets, not next-auth and the health check (/api), not the endpoints
    // server.ts serves without Next in production (they carry their own headers).
    "/((?!_next/|api/|favicon\\.ico$|\\.well-known/|oauth/(?:token|device_authorization|revoke|introspect|userinfo|jwks)(?:/|$)).*)",
  ],
};
