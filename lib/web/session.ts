/**
 * Who is signed in, checked against the database on every call: a disabled user, a demoted admin
 * or a session older than the user's last password change is treated as signed out / not admin.
 */
import { getServerSession } from "next-auth";
import { forbidden, redirect } from "next/navigation";
import { headers } from "next/headers";
import type { Actor } from "../audit/record.ts";
import { db } from "../db/client.ts";
import { authOptions } from "./auth-options.ts";
import { clientIp } from "./request-ip.ts";

export interface CurrentUser {
  id: string;
  email: string;
  name: string;
  role: "ADMIN" | "USER";
}

export async function currentUser(): Promise<CurrentUser | null> {
  const session = (await getServerSession(authOptions())) as { userId?: string; issuedAt?: number } | null;
  if (!session?.userId) return null;
  const user = await db().user.findUnique({
    where: { id: session.userId },
    select: { id: true, email: true, name: true, role: true, disabled: true, sessionsValidFrom: true },
  });
  if (!user || user.disabled) return null;
  // JWT iat has second precision; sessions issued in the same second as the cut-off stay valid.
  if ((session.issuedAt ?? 0) < Math.floor(user.sessionsValidFrom.getTime() / 1000)) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** A relative path to return to after sign-in; anything else becomes "/" (no open redirects). */
export function safeReturnPath(value: string | null | undefined): string {
  if (!value || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  return value;
}

export async function requireUser(returnTo: string): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(safeReturnPath(returnTo))}`);
  return user;
}

export async function requireAdmin(returnTo = "/admin"): Promise<CurrentUser> {
  const user = await requireUser(returnTo);
  if (user.role !== "ADMIN") forbidden();
  return user;
}

/** The signed-in user as the audit log records them, with the request's address. */
export async function actorFor(user: CurrentUser): Promise<Actor> {
  return { kind: "user", id: user.id, email: user.email, ip: clientIp(await headers()) };
}
