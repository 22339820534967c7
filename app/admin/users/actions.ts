"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { RevokeAccessResult } from "@/components/revoke-access-button";
import { revokeAccess } from "@/lib/access/commands";
import { settings } from "@/lib/config/settings";
import type { Actor } from "@/lib/audit/actor";
import { db } from "@/lib/db/client";
import { isRecordId } from "@/lib/db/record-id";
import { endSessions } from "@/lib/sessions/commands";
import {
  createUser,
  deleteUser,
  disableUsers,
  setUserDisabled,
  setUserPassword,
  setUserRole,
  updateUserProfile,
  type BulkDisableResult,
  type NewPasswordErrors,
  type ProfileFieldErrors,
  type UserFieldErrors,
} from "@/lib/users/commands";
import { issuePasswordResetLink } from "@/lib/users/password-reset";
import { postedVersion, seenField } from "@/lib/web/version-fields";
import { adminAction, formAction, unreadableForm } from "@/lib/web/actions";
import { flash } from "@/lib/web/flash";
import { endSession } from "@/lib/web/sign-out";

export interface CreateUserValues {
  email: string;
  name: string;
  admin: boolean;
}

export interface CreateUserState {
  errors?: UserFieldErrors;
  /** What was typed, to fill the form again (never the password). */
  values?: CreateUserValues;
}

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

export const createUserAction = adminAction(
  formAction(
    (): CreateUserState => ({ errors: { form: [unreadableForm] } }),
    async (actor: Actor, _previous: CreateUserState, form: FormData): Promise<CreateUserState> => {
      const values: CreateUserValues = {
        email: text(form, "email"),
        name: text(form, "name"),
        admin: form.get("admin") === "on",
      };
      const result = await createUser(db(), { ...values, password: text(form, "password") }, actor);
      if (!result.ok) return { errors: result.errors, values };
      revalidatePath("/admin/users");
      await flash(`Created ${result.user.role === "ADMIN" ? "administrator" : "user"} ${result.user.email}`);
      redirect(`/admin/users/${result.user.id}`);
    },
  ),
);

export interface UserActionResult {
  ok: boolean;
  message: string;
}

export const setUserRoleAction = adminAction(
  async (actor, userId: string, makeAdmin: boolean): Promise<UserActionResult> => {
    if (!isRecordId(userId)) return { ok: false, message: "This user no longer exists." };
    const result = await setUserRole(db(), userId, makeAdmin === true ? "ADMIN" : "USER", actor);
    if (!result.ok) return { ok: false, message: result.message };
    revalidatePath("/admin/users");
    revalidatePath(`/admin/users/${userId}`);
    const self = actor.kind === "user" && actor.id === userId;
    if (self && result.user.role !== "ADMIN") {
      // The admin pages are closed to them now.
      await flash("You are no longer an administrator");
      redirect("/account");
    }
    return {
      ok: true,
      message:
        result.user.role === "ADMIN"
          ? `${result.user.email} is now an administrator`
          : `${result.user.email} is no longer an administrator`,
    };
  },
);

export const setUserDisabledAction = adminAction(
  async (actor, userId: string, disable: boolean): Promise<UserActionResult> => {
    if (!isRecordId(userId)) return { ok: false, message: "This user no longer exists." };
    const result = await setUserDisabled(db(), userId, disable === true, actor);
    if (!result.ok) return { ok: false, message: result.message };
    revalidatePath("/admin/users");
    revalidatePath(`/admin/users/${userId}`);
    if (actor.kind === "user" && actor.id === userId && result.user.disabled) {
      await endSession();
      await flash("Your account is disabled");
      redirect("/login");
    }
    return {
      ok: true,
      message: result.user.disabled
        ? `${result.user.email} is disabled: signed out everywhere and every token revoked`
        : `${result.user.email} can sign in again`,
    };
  },
);

export const revokeUserAccessAction = adminAction(
  async (actor, userId: string, applicationId: string): Promise<RevokeAccessResult> => {
    if (!isRecordId(userId) || !isRecordId(applicationId)) return { ok: false, message: "That app is not connected." };
    const result = await revokeAccess(db(), userId, applicationId, actor);
    revalidatePath(`/admin/users/${userId}`);
    return result.ok
      ? { ok: true, message: `Revoked ${result.name}'s access` }
      : { ok: false, message: "That app was not connected any more." };
  },
);

/** What ending a user's sessions answers: a sentence for the toast (or, without JavaScript, the page). */
export type EndSessionsState = { ok: boolean; message: string; at: number } | null;

export const endUserSessionsAction = adminAction(
  async (actor, userId: string, _previous: EndSessionsState, _form: FormData): Promise<EndSessionsState> => {
    if (!isRecordId(userId)) return { ok: false, message: "This user no longer exists.", at: Date.now() };
    const ended = await endSessions(db(), userId, { kind: "all" }, actor, settings().sessions);
    revalidatePath(`/admin/users/${userId}`);
    if (actor.kind === "user" && actor.id === userId && ended > 0) {
      // This browser's session was one of them.
      await endSession();
      await flash("You ended all your sessions, this one included");
      redirect("/login");
    }
    return ended
      ? {
          ok: true,
          message: `Ended ${ended === 1 ? "1 session" : `${ended} sessions`}: signed out everywhere`,
          at: Date.now(),
        }
      : { ok: false, message: "This user has no live sessions.", at: Date.now() };
  },
);

/** The profile as the edit form shows it: what a conflict is compared on. */
export interface ProfileValues {
  email: string;
  name: string;
}

const profileLabels: Record<keyof ProfileValues, string> = { email: "Email", name: "Name" };

export interface ProfileFormState {
  errors?: ProfileFieldErrors;
  values?: ProfileValues;
  /** The user changed after the form was drawn: the labels of the fields that changed. */
  conflict?: { changed: string[] };
  /** After a refusal: the version the next save is conditional on. */
  edited?: { version: string; seen: ProfileValues };
  /** After a save: what to say (the page itself is drawn again from what is stored). */
  saved?: { message: string; at: number };
}

function profileFromJson(text: unknown): ProfileValues | null {
  try {
    const parsed: unknown = JSON.parse(String(text));
    if (typeof parsed !== "object" || parsed === null) return null;
    const { email, name } = parsed as Record<string, unknown>;
    return typeof email === "string" && typeof name === "string" ? { email, name } : null;
  } catch {
    return null;
  }
}

export const updateUserProfileAction = adminAction(
  formAction(
    (): ProfileFormState => ({ errors: { form: [unreadableForm] } }),
    async (actor: Actor, userId: string, _previous: ProfileFormState, form: FormData): Promise<ProfileFormState> => {
      const values: ProfileValues = { email: text(form, "email"), name: text(form, "name") };
      if (!isRecordId(userId)) return { errors: { form: ["This user no longer exists."] }, values };
      let version = postedVersion(form);
      let seen = profileFromJson(form.get(seenField));
      if (!version || !seen) return { errors: { form: [unreadableForm] }, values };
      let result = await updateUserProfile(db(), userId, values, actor, { expectedVersion: version });
      if (!result.ok && "conflict" in result) {
        const current = { email: result.conflict.email, name: result.conflict.name };
        const changed = (Object.keys(profileLabels) as (keyof ProfileValues)[])
          .filter((key) => seen![key] !== current[key])
          .map((key) => profileLabels[key]);
        version = result.conflict.updatedAt;
        seen = current;
        // Only what the form does not show changed (a sign-in, the role): saving undoes nothing.
        if (changed.length > 0)
          return { values, conflict: { changed }, edited: { version: version.toISOString(), seen } };
        result = await updateUserProfile(db(), userId, values, actor, { expectedVersion: version });
      }
      const edited = { version: version.toISOString(), seen };
      if (!result.ok) {
        if ("errors" in result) return { errors: result.errors, values, edited };
        if ("conflict" in result)
          return { errors: { form: ["This user changed again. Try saving once more."] }, values };
        return { errors: { form: [result.message] }, values };
      }
      revalidatePath("/admin/users");
      revalidatePath(`/admin/users/${userId}`);
      return {
        saved: {
          message: result.changed ? `Saved ${result.user.email}` : "Nothing to save: the profile was unchanged",
          at: Date.now(),
        },
      };
    },
  ),
);

/** A form's answer shown beside it (and as a toast): `at` makes each answer a new one. */
export interface FormAnswer<Errors> {
  errors?: Errors;
  message?: string;
  at?: number;
}

export const setUserPasswordAction = adminAction(
  formAction(
    (): FormAnswer<NewPasswordErrors> => ({ errors: { form: [unreadableForm] }, at: Date.now() }),
    async (
      actor: Actor,
      userId: string,
      _previous: FormAnswer<NewPasswordErrors>,
      form: FormData,
    ): Promise<FormAnswer<NewPasswordErrors>> => {
      if (!isRecordId(userId)) return { errors: { form: ["This user no longer exists."] }, at: Date.now() };
      const result = await setUserPassword(
        db(),
        userId,
        { password: text(form, "password"), confirmPassword: text(form, "confirmPassword") },
        actor,
      );
      if (!result.ok)
        return { errors: "errors" in result ? result.errors : { form: [result.message] }, at: Date.now() };
      revalidatePath(`/admin/users/${userId}`);
      const sessions = result.sessionsEnded === 1 ? "1 session" : `${result.sessionsEnded} sessions`;
      return {
        message: `New password set for ${result.email}: ${sessions} ended, their apps' tokens revoked`,
        at: Date.now(),
      };
    },
  ),
);

export interface ResetLinkState {
  link?: { url: string; expiresAt: string };
  error?: string;
  at?: number;
}

export const issueResetLinkAction = adminAction(
  formAction(
    (): ResetLinkState => ({ error: unreadableForm, at: Date.now() }),
    async (actor: Actor, userId: string, _previous: ResetLinkState, _form: FormData): Promise<ResetLinkState> => {
      if (!isRecordId(userId)) return { error: "This user no longer exists.", at: Date.now() };
      const result = await issuePasswordResetLink(db(), userId, actor, {
        publicUrl: settings().publicUrl,
        lifetimeSeconds: settings().passwordResetLifetime,
      });
      if (!result.ok) return { error: result.message, at: Date.now() };
      return { link: { url: result.link.url, expiresAt: result.link.expiresAt.toISOString() }, at: Date.now() };
    },
  ),
);

export const deleteUserAction = adminAction(
  formAction(
    async () => {
      await flash(unreadableForm, "error");
      redirect("/admin/users");
    },
    async (actor: Actor, userId: string, form: FormData): Promise<void> => {
      void form;
      const result = isRecordId(userId)
        ? await deleteUser(db(), userId, actor)
        : ({ ok: false, message: "This user no longer exists." } as const);
      revalidatePath("/admin/users");
      if (!result.ok) {
        await flash(result.message, "error");
        redirect(
          isRecordId(userId) && "reason" in result && result.reason !== "not_found"
            ? `/admin/users/${userId}`
            : "/admin/users",
        );
      }
      await flash(`Deleted ${result.email}`);
      redirect("/admin/users");
    },
  ),
);

export interface BulkDisableState {
  ok?: boolean;
  message?: string;
  at?: number;
}

/** Sentences for the result of disabling several users at once. */
function describeBulkDisable(result: BulkDisableResult): { ok: boolean; message: string } {
  const parts: string[] = [];
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  if (result.disabled.length)
    parts.push(
      `Disabled ${count(result.disabled.length, "user", "users")}: signed out everywhere and every token revoked.`,
    );
  if (result.alreadyDisabled)
    parts.push(`${count(result.alreadyDisabled, "user was", "users were")} already disabled.`);
  if (result.skippedSelf) parts.push("Your own account was skipped: you cannot disable yourself from the list.");
  for (const refusal of result.refused) parts.push(refusal.message);
  if (parts.length === 0) parts.push("Select the users to disable first.");
  return { ok: result.disabled.length > 0, message: parts.join(" ") };
}

const maxBulk = 100;

export const disableUsersAction = adminAction(
  formAction(
    (): BulkDisableState => ({ ok: false, message: unreadableForm, at: Date.now() }),
    async (actor: Actor, _previous: BulkDisableState, form: FormData): Promise<BulkDisableState> => {
      const ids = form.getAll("user").filter(isRecordId);
      if (ids.length > maxBulk)
        return { ok: false, message: `Choose at most ${maxBulk} users at a time.`, at: Date.now() };
      const result = await disableUsers(db(), ids, actor);
      revalidatePath("/admin/users");
      return { ...describeBulkDisable(result), at: Date.now() };
    },
  ),
);
