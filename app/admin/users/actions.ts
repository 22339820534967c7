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
import { createUser, setUserDisabled, setUserRole, type UserFieldErrors } from "@/lib/users/commands";
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
