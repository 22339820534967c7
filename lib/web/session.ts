/**
 * Who is signed in, checked against the database on every call: a disabled user, a demoted admin
 * or a session older than the user's last password change is treated as signed out / not admin.
 */
import { getServerSession } from "next-auth";
import { forbidden, redirect } from "next/navigation";
import { headers } from "next/headers";
import { cache } from "react";
import type { Actor } from "../audit/record.ts";
import { db } from "../db/client.ts";
import { authOptions } from "./auth-options.ts";
import { clientIp } from "../request-ip.ts";
import { safeReturnPath } from "./return-path.ts";

export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  role: "ADMIN" | "USER";
  /** When this session signed in (OpenID Connect auth_time). */
  authTime: Date;
}

/** Deduplicated per request: layouts and pages both ask. */
export const currentUser = cache(async function currentUser(): Promise<CurrentUser | null> {
  const session = (await getServerSession(authOptions())) as { userId?: string; authTime?: number } | null;
  if (!session?.userId) return null;
  const user = await db().user.findUnique({
    where: { id: session.userId },
    select: { id: true, email: true, name: true, role: true, disabled: true, sessionsValidFrom: true },
  });
  if (!user || user.disabled) return null;
  const authTime = session.authTime ?? 0;
  if (authTime < user.sessionsValidFrom.getTime()) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role, authTime: new Date(authTime) };
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
