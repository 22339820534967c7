/**
 * Tells server components which path was requested (Next gives layouts no pathname), so a sign-in
 * redirect can return the user to the page they asked for. Authorization itself is checked in
 * pages and actions (lib/web/session.ts), never here.
 */
import { NextResponse, type NextRequest } from "next/server";

export const requestedPathHeader = "x-portcullis-path";

export function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  headers.set(requestedPathHeader, request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.next({ request: { headers } });
}

export const config = { matcher: ["/admin/:path*", "/account/:path*", "/oauth/authorize"] };
