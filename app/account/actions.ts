"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { RevokeAccessResult } from "@/components/revoke-access-button";
import { revokeAccess } from "@/lib/access/commands";
import { db } from "@/lib/db/client";
import { isRecordId } from "@/lib/db/record-id";
import { settings } from "@/lib/config/settings";
import { endSessions } from "@/lib/sessions/commands";
import { changePassword, type PasswordChangeErrors } from "@/lib/users/commands";
import { formAction, unreadableForm } from "@/lib/web/actions";
import { flash } from "@/lib/web/flash";
import { actorFor, requireUser } from "@/lib/web/session";
import { endSession } from "@/lib/web/sign-out";

// Server actions are public endpoints: each one checks the session itself (requireUser), and acts
// only on the signed-in user's own account, whatever the arguments say.

export async function revokeMyAccessAction(applicationId: string): Promise<RevokeAccessResult> {
  const user = await requireUser("/account");
  if (!isRecordId(applicationId)) return { ok: false, message: "That app is not connected." };
  const result = await revokeAccess(db(), user.id, applicationId, await actorFor(user));
  revalidatePath("/account");
  return result.ok
    ? { ok: true, message: `${result.name} no longer has access to your account` }
    : { ok: false, message: "That app was not connected any more." };
}

export interface PasswordFormState {
  errors?: PasswordChangeErrors;
}

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

export const changePasswordAction = formAction(
  (): PasswordFormState => ({ errors: { form: [unreadableForm] } }),
  async (_previous: PasswordFormState, form: FormData): Promise<PasswordFormState> => {
    const user = await requireUser("/account/password");
    const result = await changePassword(
      db(),
      user.id,
      {
        currentPassword: text(form, "currentPassword"),
        newPassword: text(form, "newPassword"),
        confirmPassword: text(form, "confirmPassword"),
      },
      await actorFor(user),
    );
    if (!result.ok) return { errors: result.errors };
    // Every session of the user, this one included, is revoked already; expire this one's cookie.
    await endSession();
    await flash("Password changed. Sign in with your new password.");
    redirect("/login");
  },
);

/** What ending sessions answers: a sentence for the toast (or, without JavaScript, the page). */
export type SessionsFormState = { ok: boolean; message: string; at: number } | null;

const answer = (ok: boolean, message: string): SessionsFormState => ({ ok, message, at: Date.now() });

const unreadableSessionsForm = (): SessionsFormState => answer(false, unreadableForm);

export const endMySessionAction = formAction(
  unreadableSessionsForm,
  async (_previous: SessionsFormState, form: FormData): Promise<SessionsFormState> => {
    const user = await requireUser("/account/sessions");
    const sessionId = form.get("sessionId");
    if (!isRecordId(sessionId)) return answer(false, "That session has already ended.");
    if (sessionId === user.sessionId) return answer(false, "This is the session you are using: sign out instead.");
    const ended = await endSessions(
      db(),
      user.id,
      { kind: "one", sessionId },
      await actorFor(user),
      settings().sessions,
    );
    revalidatePath("/account/sessions");
    return ended
      ? answer(true, "Session ended: that browser is signed out")
      : answer(false, "That session had already ended.");
  },
);

export async function endMyOtherSessionsAction(
  _previous: SessionsFormState,
  _form: FormData,
): Promise<SessionsFormState> {
  const user = await requireUser("/account/sessions");
  const ended = await endSessions(
    db(),
    user.id,
    { kind: "others", currentSessionId: user.sessionId },
    await actorFor(user),
    settings().sessions,
  );
  revalidatePath("/account/sessions");
  return ended
    ? answer(
        true,
        `Ended ${ended === 1 ? "1 other session" : `${ended} other sessions`}: only this browser is signed in`,
      )
    : answer(false, "You have no other sessions.");
}
