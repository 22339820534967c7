/** Creating users and checking their passwords. */
import { recordAudit, type Actor } from "../audit/record.ts";
import { hashPassword, verifyAgainstNothing, verifyPassword } from "../auth/password.ts";
import type { Db } from "../db/client.ts";
import { userInputSchema } from "./schema.ts";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: "ADMIN" | "USER";
}

export type UserFieldErrors = Partial<Record<"email" | "password" | "name" | "form", string[]>>;

export type CreatedUser = { ok: true; user: SessionUser } | { ok: false; errors: UserFieldErrors };

export async function createUser(db: Db, raw: unknown, actor: Actor): Promise<CreatedUser> {
  const parsed = userInputSchema.safeParse(raw);
  if (!parsed.success) {
    const errors: UserFieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = (issue.path[0] as "email" | "password" | "name" | undefined) ?? "form";
      (errors[field] ??= []).push(issue.message);
    }
    return { ok: false, errors };
  }
  const { email, password, name, admin } = parsed.data;
  if (await db.user.findUnique({ where: { email }, select: { id: true } })) {
    return { ok: false, errors: { email: ["An account with this email already exists"] } };
  }
  const passwordHash = await hashPassword(password);
  const user = await db.$transaction(async (tx) => {
    const created = await tx.user.create({
      data: { email, name, passwordHash, role: admin ? "ADMIN" : "USER" },
      select: { id: true, email: true, name: true, role: true },
    });
    await recordAudit(tx, actor, {
      action: "user.created",
      targetUserId: created.id,
      details: { email, role: created.role },
    });
    return created;
  });
  return { ok: true, user };
}

/**
 * The user for an email and password, or null. Unknown emails and wrong passwords take the same
 * time and give the same answer; disabled accounts cannot sign in.
 */
export async function authenticate(db: Db, email: string, password: string): Promise<SessionUser | null> {
  const user = await db.user.findUnique({
    where: { email: email.trim().toLowerCase() },
    select: { id: true, email: true, name: true, role: true, passwordHash: true, disabled: true },
  });
  if (!user) return verifyAgainstNothing(password).then(() => null);
  if (!(await verifyPassword(user.passwordHash, password)) || user.disabled) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}
