/**
 * Who is signed in: the session cookie names a session in the database (lib/sessions), which must
 * be live (not signed out or ended, within its absolute lifetime and idle timeout) and belong to an
 * enabled user. Role and status are read with it on every request, so demoting or disabling
 * someone takes effect at once.
 */
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import type { Actor } from "../audit/record.ts";
import { settings } from "../config/settings.ts";
import { db } from "../db/client.ts";
import { resolveSession, type LiveSession } from "../sessions/queries.ts";
import { clientIp } from "../request-ip.ts";
import { safeReturnPath } from "./return-path.ts";
import { sessionSecretFrom } from "./session-cookie.ts";

export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  role: "ADMIN" | "USER";
  /** When this session signed in (OpenID Connect auth_time). */
  authTime: Date;
  /** The session's id (the digest of its secret), to tell "this session" apart on /account. */
  sessionId: string;
}

async function requestCookies(): Promise<Map<string, string>> {
  return new Map((await cookies()).getAll().map((cookie) => [cookie.name, cookie.value]));
}

/** The request's live session, deduplicated per request: layouts and pages both ask. */
export const currentSession = cache(async function currentSession(): Promise<LiveSession | null> {
  const secret = await sessionSecretFrom(await requestCookies());
  if (!secret) return null;
  return resolveSession(db(), secret, settings().sessions);
});

export const currentUser = cache(async function currentUser(): Promise<CurrentUser | null> {
  const session = await currentSession();
  if (!session) return null;
  return { ...session.user, authTime: session.signedInAt, sessionId: session.id };
});

/** The path the browser asked for, set by proxy.ts for the pages that need sign-in. */
async function requestedPath(): Promise<string> {
  return safeReturnPath((await headers()).get("x-portcullis-path"));
}

/** The signed-in user; anyone else is sent to sign in and brought back to `returnTo`. */
export async function requireUser(returnTo?: string): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(safeReturnPath(returnTo ?? (await requestedPath())))}`);
  return user;
}

/** The signed-in admin; a signed-in non-admin gets the 403 page. */
export async function requireAdmin(returnTo?: string): Promise<CurrentUser> {
  const user = await requireUser(returnTo);
  if (user.role !== "ADMIN") forbidden();
  return user;
}

/** The signed-in user as the audit log records them, with the request's address. */
export async function actorFor(user: CurrentUser): Promise<Actor> {
  return { kind: "user", id: user.id, email: user.email, ip: clientIp(await headers()) };
}

/** The request's session secret, for ending it (lib/web/sign-out.ts). */
export async function currentSessionSecret(): Promise<string | null> {
  return sessionSecretFrom(await requestCookies());
}
