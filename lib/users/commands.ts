/**
 * Creating users and the changes admins and users make to accounts (signing in: ./sign-in.ts).
 * Each change writes its audit row in the same transaction; no password or hash ever reaches one.
 */
import { randomBytes } from "node:crypto";
import { revokeUserTokens, type RevokedTokens } from "../access/commands.ts";
import { diffFields, recordAudit, type Actor, type Transaction } from "../audit/record.ts";
import { hashPassword, verifyPassword } from "../auth/password.ts";
import { attemptKey, claimSignInAttempt, forgetFailures } from "../auth/throttle.ts";
import { describeWait } from "../auth/wait.ts";
import type { Db } from "../db/client.ts";
import { revokeUserSessions } from "../sessions/commands.ts";
import { enabledAdminCount, type RoleName } from "./queries.ts";
import {
  fieldErrorsOf,
  newPasswordSchema,
  passwordChangeSchema,
  passwordSchema,
  profileSchema,
  userInputSchema,
} from "./schema.ts";
import { recordWrongPassword } from "./sign-in.ts";

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
  try {
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
  } catch (error) {
    // The check above raced another sign-up with the same email; the unique index decided.
    if ((error as { code?: unknown }).code === "P2002")
      return { ok: false, errors: { email: ["An account with this email already exists"] } };
    throw error;
  }
}

/** Why an account change was refused, in words an admin can act on. */
type AccountChangeRefusal =
  { ok: false; reason: "not_found"; message: string } | { ok: false; reason: "last_admin"; message: string };

export type AccountChange =
  { ok: true; user: SessionUser & { disabled: boolean }; changed: boolean } | AccountChangeRefusal;

const notFound: AccountChangeRefusal = { ok: false, reason: "not_found", message: "This user no longer exists." };

export const lastAdminMessage =
  "There must always be at least one enabled administrator. Make another user an administrator first.";

/** Thrown inside a transaction to roll it back when it would leave no enabled admin. */
class LastAdminError extends Error {}

/**
 * A transaction PostgreSQL aborted to keep it serializable (SQLSTATE 40001): Prisma's P2034 when a
 * statement fails, or the driver adapter's own error when the COMMIT does.
 */
function isWriteConflict(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, cause } = error as { code?: unknown; cause?: { kind?: unknown } };
  return code === "P2034" || cause?.kind === "TransactionWriteConflict";
}

/**
 * Runs a change that must never leave the server without an enabled admin. The change is written
 * first and, when it took an enabled admin away, the admins are counted after it, in a serializable
 * transaction: two admins demoting each other at the same moment cannot both pass (PostgreSQL aborts
 * one, SQLite runs writers one at a time), and the loser is retried against the committed state,
 * where the rule refuses it.
 */
async function keepingAnAdmin(
  db: Db,
  change: (tx: Transaction) => Promise<{ result: AccountChange; removedAdmin: boolean }>,
): Promise<AccountChange> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.$transaction(
        async (tx) => {
          const { result, removedAdmin } = await change(tx);
          if (removedAdmin && (await enabledAdminCount(tx)) === 0) throw new LastAdminError();
          return result;
        },
        { isolationLevel: "Serializable" },
      );
    } catch (error) {
      if (error instanceof LastAdminError) return { ok: false, reason: "last_admin", message: lastAdminMessage };
      if (attempt < 5 && isWriteConflict(error)) continue;
      throw error;
    }
  }
}

const unchanged = (result: AccountChange) => ({ result, removedAdmin: false });

const accountSelect = { id: true, email: true, name: true, role: true, disabled: true } as const;

/**
 * Disables or re-enables an account. Disabling ends it everywhere at once, in the same transaction:
 * every session is revoked, and every access and refresh token and pending
 * authorization code of the user is revoked. Refused when it would disable the last enabled admin.
 */
export async function setUserDisabled(
  db: Db,
  id: string,
  disabled: boolean,
  actor: Actor,
  now = new Date(),
): Promise<AccountChange> {
  return keepingAnAdmin(db, async (tx) => {
    const before = await tx.user.findUnique({ where: { id }, select: accountSelect });
    if (!before) return unchanged(notFound);
    if (before.disabled === disabled) return unchanged({ ok: true, user: before, changed: false } as const);
    const user = await tx.user.update({
      where: { id },
      data: { disabled },
      select: accountSelect,
    });
    let revoked: RevokedTokens | undefined;
    let sessionsEnded: number | undefined;
    if (disabled) {
      sessionsEnded = await revokeUserSessions(tx, id, now);
      revoked = await revokeUserTokens(tx, { userId: id }, now);
    }
    await recordAudit(tx, actor, {
      action: disabled ? "user.disabled" : "user.enabled",
      targetUserId: id,
      details: {
        email: before.email,
        changes: { disabled: { from: before.disabled, to: disabled } },
        ...(revoked
          ? {
              revoked: { accessTokens: revoked.accessTokens, refreshTokens: revoked.refreshTokens },
              sessionsEnded,
            }
          : {}),
      },
    });
    return { result: { ok: true, user, changed: true }, removedAdmin: disabled && before.role === "ADMIN" };
  });
}

/** Makes a user an admin or takes the role away; refused when it would leave no enabled admin. */
export async function setUserRole(db: Db, id: string, role: RoleName, actor: Actor): Promise<AccountChange> {
  return keepingAnAdmin(db, async (tx) => {
    const before = await tx.user.findUnique({ where: { id }, select: accountSelect });
    if (!before) return unchanged(notFound);
    if (before.role === role) return unchanged({ ok: true, user: before, changed: false } as const);
    const user = await tx.user.update({ where: { id }, data: { role }, select: accountSelect });
    await recordAudit(tx, actor, {
      action: "user.role_changed",
      targetUserId: id,
      details: { email: before.email, changes: { role: { from: before.role, to: role } } },
    });
    return { result: { ok: true, user, changed: true }, removedAdmin: !before.disabled && before.role === "ADMIN" };
  });
}

export type PasswordChangeErrors = Partial<
  Record<"currentPassword" | "newPassword" | "confirmPassword" | "form", string[]>
>;

export type PasswordChange = { ok: true } | { ok: false; errors: PasswordChangeErrors };

/**
 * A signed-in user replacing their own password. The current one must be given; on success every
 * session of the user is revoked, the current one included (the caller clears its cookie), and
 * every token issued to apps for them is revoked.
 */
export async function changePassword(
  db: Db,
  userId: string,
  raw: unknown,
  actor: Actor,
  now = new Date(),
): Promise<PasswordChange> {
  const parsed = passwordChangeSchema.safeParse(raw);
  if (!parsed.success) {
    const errors: PasswordChangeErrors = {};
    for (const issue of parsed.error.issues) {
      const field = (issue.path[0] as keyof PasswordChangeErrors | undefined) ?? "form";
      (errors[field] ??= []).push(issue.message);
    }
    return { ok: false, errors };
  }
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, passwordHash: true, disabled: true },
  });
  if (!user || user.disabled) return { ok: false, errors: { form: ["Your account can no longer sign in."] } };
  // Guesses at the current password count against the same budget as the sign-in form's (this
  // account from this address), and the guess that starts a block is audited the same way (by the
  // user, about them): a borrowed session must not become a way to find out the password.
  const claim = await claimSignInAttempt(db, attemptKey(user.email, "ip" in actor ? actor.ip : null), now);
  if (!claim.granted) {
    return {
      ok: false,
      errors: {
        currentPassword: [`Too many wrong passwords: try again in ${describeWait(claim.retryAfterSeconds)}`],
      },
    };
  }
  if (!(await verifyPassword(user.passwordHash, parsed.data.currentPassword))) {
    await db.$transaction((tx) =>
      recordWrongPassword(tx, claim, actor, { targetUserId: user.id, details: { via: "password change" } }),
    );
    return { ok: false, errors: { currentPassword: ["That is not your current password"] } };
  }
  const passwordHash = await hashPassword(parsed.data.newPassword);
  await db.$transaction(async (tx) => {
    await forgetFailures(tx, claim);
    await tx.user.update({ where: { id: userId }, data: { passwordHash } });
    const sessionsEnded = await revokeUserSessions(tx, userId, now);
    // RFC 9700 §4.14.2: a password change is a reason to revoke refresh tokens; someone who knew
    // the old password may hold tokens got with it. Consents stay, so apps re-connect with a sign-in.
    const revoked = await revokeUserTokens(tx, { userId }, now);
    await recordAudit(tx, actor, {
      action: "user.password_changed",
      targetUserId: userId,
      details: {
        email: user.email,
        sessionsEnded,
        accessTokens: revoked.accessTokens,
        refreshTokens: revoked.refreshTokens,
      },
    });
  });
  return { ok: true };
}

export type PasswordReset =
  | { ok: true; user: SessionUser & { disabled: boolean }; generatedPassword?: string; sessionsEnded: number }
  | { ok: false; reason: "not_found" | "invalid"; message: string };

/**
 * An operator setting a user's password (the CLI's reset-password, for a locked-out admin): the
 * given one, or a generated one returned once. As with a password change, every session of the
 * user ends and every token issued for them is revoked; the sign-in throttle's failures for the
 * account are forgotten, so the new password works at once.
 */
export async function resetPassword(
  db: Db,
  email: string,
  password: string | undefined,
  actor: Actor,
  now = new Date(),
): Promise<PasswordReset> {
  const key = email.trim().toLowerCase();
  const generatedPassword = password === undefined ? randomBytes(15).toString("base64url") : undefined;
  const parsed = passwordSchema.safeParse(password ?? generatedPassword);
  if (!parsed.success) return { ok: false, reason: "invalid", message: parsed.error.issues[0]!.message };
  const user = await db.user.findUnique({ where: { email: key }, select: accountSelect });
  if (!user) return { ok: false, reason: "not_found", message: `No user has the email ${key}.` };
  const passwordHash = await hashPassword(parsed.data);
  const sessionsEnded = await db.$transaction((tx) =>
    replacePassword(tx, user, passwordHash, actor, "user.password_reset", {}, now),
  );
  return { ok: true, user, generatedPassword, sessionsEnded };
}

/**
 * Inside a transaction: stores a password someone other than the user's own session chose (an
 * operator, an admin, a reset link) and ends what the old one may have opened: every session of the
 * user and every token issued for them. The sign-in throttle's failures for the account are
 * forgotten, so the new password works at once, and older reset links stop working. Audited as
 * `action`; returns how many sessions ended.
 */
export async function replacePassword(
  tx: Transaction,
  user: { id: string; email: string },
  passwordHash: string,
  actor: Actor,
  action: string,
  details: Record<string, unknown>,
  now: Date,
): Promise<number> {
  await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
  await tx.signInFailure.deleteMany({ where: { email: user.email } });
  await tx.passwordResetToken.deleteMany({ where: { userId: user.id, usedAt: null } });
  const sessionsEnded = await revokeUserSessions(tx, user.id, now);
  const revoked = await revokeUserTokens(tx, { userId: user.id }, now);
  await recordAudit(tx, actor, {
    action,
    targetUserId: user.id,
    details: {
      email: user.email,
      ...details,
      sessionsEnded,
      accessTokens: revoked.accessTokens,
      refreshTokens: revoked.refreshTokens,
    },
  });
  return sessionsEnded;
}

export type ProfileFieldErrors = Partial<Record<"email" | "name" | "form", string[]>>;

export interface UserProfile {
  email: string;
  name: string;
  updatedAt: Date;
}

export type ProfileUpdate =
  | { ok: true; user: SessionUser & { disabled: boolean }; changed: boolean }
  | { ok: false; errors: ProfileFieldErrors }
  /** The user changed after the admin's page was drawn: nothing was written. */
  | { ok: false; conflict: UserProfile }
  | AccountChangeRefusal;

const emailTaken = "Another user already has this email";

/**
 * An admin editing a user's email and name. With `expectedVersion` (the updatedAt the admin's form
 * was drawn from) the write is one conditional UPDATE: it happens only if the user is still at
 * that version, so a change made meanwhile is never silently undone (the caller decides what to do
 * with the conflict). A taken email is a field error, decided by the unique index.
 */
export async function updateUserProfile(
  db: Db,
  id: string,
  raw: unknown,
  actor: Actor,
  options: { expectedVersion?: Date } = {},
): Promise<ProfileUpdate> {
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrorsOf(parsed.error) };
  const { email, name } = parsed.data;
  const profileSelect = { ...accountSelect, updatedAt: true } as const;
  try {
    return await db.$transaction(async (tx): Promise<ProfileUpdate> => {
      const before = await tx.user.findUnique({ where: { id }, select: profileSelect });
      if (!before) return notFound;
      const version = options.expectedVersion ?? before.updatedAt;
      if (before.updatedAt.getTime() !== version.getTime()) return { ok: false, conflict: before };
      const changes = diffFields({ email: before.email, name: before.name }, { email, name });
      if (Object.keys(changes).length === 0) return { ok: true, user: before, changed: false };
      const { count } = await tx.user.updateMany({ where: { id, updatedAt: version }, data: { email, name } });
      if (count === 0) {
        const current = await tx.user.findUnique({ where: { id }, select: profileSelect });
        return current ? { ok: false, conflict: current } : notFound;
      }
      if (changes.email) await tx.signInFailure.deleteMany({ where: { email: before.email } });
      await recordAudit(tx, actor, {
        action: "user.updated",
        targetUserId: id,
        details: { email, changes },
      });
      return { ok: true, user: { ...before, email, name }, changed: true };
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === "P2002") return { ok: false, errors: { email: [emailTaken] } };
    throw error;
  }
}

export type NewPasswordErrors = Partial<Record<"password" | "confirmPassword" | "form", string[]>>;

export type PasswordSet =
  { ok: true; email: string; sessionsEnded: number } | { ok: false; errors: NewPasswordErrors } | AccountChangeRefusal;

/**
 * An admin choosing a new password for someone else (their own they change on /account, where the
 * current one is asked). Like the CLI's reset-password: the user is signed out everywhere and every
 * token issued for them is revoked, since whoever knew the old password may hold some.
 */
export async function setUserPassword(
  db: Db,
  id: string,
  raw: unknown,
  actor: Actor,
  now = new Date(),
): Promise<PasswordSet> {
  if (actor.kind === "user" && actor.id === id) {
    return { ok: false, errors: { form: ["Change your own password on your account page."] } };
  }
  const parsed = newPasswordSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrorsOf(parsed.error) };
  const user = await db.user.findUnique({ where: { id }, select: { id: true, email: true } });
  if (!user) return notFound;
  const passwordHash = await hashPassword(parsed.data.password);
  const sessionsEnded = await db.$transaction((tx) =>
    replacePassword(tx, user, passwordHash, actor, "user.password_set", {}, now),
  );
  return { ok: true, email: user.email, sessionsEnded };
}

export type UserDeletion =
  { ok: true; email: string } | AccountChangeRefusal | { ok: false; reason: "self"; message: string };

/**
 * Deletes a user. The database's cascades take their sessions, consents, tokens, authorization and
 * device codes and reset links with them; applications they own stay, without an owner; the audit
 * log keeps what they did (its entries name the user by id and email). Refused for the admin's own
 * account and, by the same rule as demoting, for the last enabled admin.
 */
export async function deleteUser(db: Db, id: string, actor: Actor, now = new Date()): Promise<UserDeletion> {
  if (actor.kind === "user" && actor.id === id) {
    return { ok: false, reason: "self", message: "You cannot delete your own account." };
  }
  let email = "";
  const result = await keepingAnAdmin(db, async (tx) => {
    const before = await tx.user.findUnique({ where: { id }, select: accountSelect });
    if (!before) return unchanged(notFound);
    email = before.email;
    // Counted before they go, for the audit entry.
    const revoked = await revokeUserTokens(tx, { userId: id }, now);
    const [sessions, consents] = await Promise.all([
      tx.session.count({ where: { userId: id, revokedAt: null } }),
      tx.consent.count({ where: { userId: id } }),
    ]);
    await tx.user.delete({ where: { id } });
    // Throttle rows name the account without a foreign key.
    await tx.signInFailure.deleteMany({ where: { email: before.email } });
    await tx.userCodeFailure.deleteMany({ where: { userId: id } });
    await recordAudit(tx, actor, {
      action: "user.deleted",
      targetUserId: id,
      details: {
        email: before.email,
        name: before.name,
        role: before.role,
        sessionsEnded: sessions,
        consents,
        accessTokens: revoked.accessTokens,
        refreshTokens: revoked.refreshTokens,
      },
    });
    return {
      result: { ok: true, user: before, changed: true },
      removedAdmin: before.role === "ADMIN" && !before.disabled,
    };
  });
  return result.ok ? { ok: true, email } : result;
}

export interface BulkDisableResult {
  /** Emails of the accounts disabled now. */
  disabled: string[];
  /** Already disabled, so left as they were. */
  alreadyDisabled: number;
  /** The admin's own account was among those chosen and was left alone. */
  skippedSelf: boolean;
  /** Not found (deleted meanwhile) or refused (the last enabled admin), with why. */
  refused: { id: string; message: string }[];
}

/**
 * Disables several accounts, each exactly as `setUserDisabled` does (sessions ended, tokens revoked,
 * one audit entry per user), one transaction per user so one refusal does not undo the others. The
 * acting admin's own account is skipped: disabling it would sign them out halfway.
 */
export async function disableUsers(
  db: Db,
  ids: readonly string[],
  actor: Actor,
  now = new Date(),
): Promise<BulkDisableResult> {
  const result: BulkDisableResult = { disabled: [], alreadyDisabled: 0, skippedSelf: false, refused: [] };
  for (const id of new Set(ids)) {
    if (actor.kind === "user" && actor.id === id) {
      result.skippedSelf = true;
      continue;
    }
    const change = await setUserDisabled(db, id, true, actor, now);
    if (!change.ok) result.refused.push({ id, message: change.message });
    else if (change.changed) result.disabled.push(change.user.email);
    else result.alreadyDisabled += 1;
  }
  return result;
}
