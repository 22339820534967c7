"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import {
  ApplicationNotFoundError,
  createApplication,
  deleteApplication,
  rotateClientSecret,
  setApplicationTrusted,
  updateApplication,
} from "@/lib/applications/commands";
import type { FieldErrors } from "@/lib/applications/schema";
import type { Actor } from "@/lib/audit/actor";
import { db } from "@/lib/db/client";
import { isRecordId } from "@/lib/db/record-id";
import { adminAction, formAction, unreadableForm } from "@/lib/web/actions";
import { flash } from "@/lib/web/flash";
import { handoffCipher, stashIssuedSecret, type HandoffReason } from "@/lib/applications/secret-handoff";
import { keyEncryptionKey } from "@/lib/config/secrets";
import { settings } from "@/lib/config/settings";
import {
  changedFieldLabels,
  formValuesFrom,
  formValuesFromJson,
  formValuesOf,
  type ApplicationFormValues,
} from "@/lib/applications/form-values";
import { postedVersion, seenField } from "@/lib/web/version-fields";

/** The version of an application a form was drawn from: sent back with the edit it prepares. */
export interface EditedVersion {
  /** The application's updatedAt (ISO 8601). */
  version: string;
  /** Its values as the form showed them, to tell what changed meanwhile. */
  seen: ApplicationFormValues;
}

export interface ApplicationFormState {
  errors?: FieldErrors;
  values?: ApplicationFormValues;
  /** The application changed after the form was drawn: the labels of the fields that changed. */
  conflict?: { changed: string[] };
  /** After a refused edit: the version the next save is conditional on. */
  edited?: EditedVersion;
}

/** The secret screen (./[id]/secret), reached by a 303 once the write is done (Post/Redirect/Get). */
const secretPage = (id: string) => `/admin/applications/${id}/secret`;

/** Hands the new secret to the secret screen, for this admin's first view of it only. */
async function handOver(actor: Actor, applicationId: string, secret: string, reason: HandoffReason): Promise<void> {
  if (actor.kind !== "user") return;
  const cipher = handoffCipher(keyEncryptionKey(settings()));
  await stashIssuedSecret(db(), cipher, { applicationId, actorId: actor.id, secret, reason });
}

const unreadable = (): ApplicationFormState => ({ errors: { form: [unreadableForm] } });

export const createApplicationAction = adminAction(
  formAction(
    unreadable,
    async (actor: Actor, _previous: ApplicationFormState, form: FormData): Promise<ApplicationFormState> => {
      const values = formValuesFrom(form);
      const result = await createApplication(db(), values, actor, { ownerId: actor.kind === "user" ? actor.id : null });
      if (!result.ok) return { errors: result.errors, values };
      revalidatePath("/admin/applications");
      const { application, clientSecret } = result;
      if (clientSecret) await handOver(actor, application.id, clientSecret, "created");
      redirect(secretPage(application.id));
    },
  ),
);

export const updateApplicationAction = adminAction(
  formAction(
    unreadable,
    async (
      actor: Actor,
      id: string,
      _previous: ApplicationFormState,
      form: FormData,
    ): Promise<ApplicationFormState> => {
      const values = formValuesFrom(form);
      if (!isRecordId(id)) return { errors: { form: ["This application no longer exists."] }, values };
      let version = postedVersion(form);
      if (!version) return unreadable();
      let seen = formValuesFromJson(form.get(seenField));
      let result;
      try {
        result = await updateApplication(db(), id, values, actor, { expectedVersion: version });
        if (!result.ok && "conflict" in result) {
          const current = formValuesOf(result.conflict);
          const changed = changedFieldLabels(seen, current);
          version = result.conflict.updatedAt;
          seen = current;
          // Only what the form does not show changed (a rotated secret): saving undoes nothing.
          if (changed.length > 0)
            return { values, conflict: { changed }, edited: { version: version.toISOString(), seen } };
          result = await updateApplication(db(), id, values, actor, { expectedVersion: version });
        }
      } catch (error) {
        if (error instanceof ApplicationNotFoundError)
          return { errors: { form: ["This application no longer exists."] }, values };
        throw error;
      }
      if (!result.ok) return { errors: result.errors, values, edited: { version: version.toISOString(), seen } };
      revalidatePath("/admin/applications");
      const { application, clientSecret } = result;
      if (clientSecret) {
        await handOver(actor, application.id, clientSecret, "updated");
        redirect(secretPage(application.id));
      }
      await flash(`Saved ${application.name}`);
      redirect(`/admin/applications/${application.id}`);
    },
  ),
);

export const setTrustedAction = adminAction(
  async (actor, id: string, trusted: boolean): Promise<{ ok: boolean; trusted?: boolean }> => {
    if (!isRecordId(id)) return { ok: false };
    try {
      const application = await setApplicationTrusted(db(), id, trusted === true, actor);
      revalidatePath("/admin/applications");
      return { ok: true, trusted: application.skipAuthorization };
    } catch (error) {
      if (error instanceof ApplicationNotFoundError) return { ok: false };
      throw error;
    }
  },
);

/** A plain form POST (the confirmation dialog's): answers 303 to the secret screen, or back with a toast. */
export const rotateSecretAction = adminAction(
  formAction(
    () => redirect("/admin/applications"),
    async (actor: Actor, id: string, _form: FormData): Promise<void> => {
      if (!isRecordId(id)) {
        await flash("This application no longer exists.", "error");
        redirect("/admin/applications");
      }
      let clientSecret: string;
      try {
        ({ clientSecret } = await rotateClientSecret(db(), id, actor));
      } catch (error) {
        if (error instanceof ApplicationNotFoundError) {
          await flash("This application no longer exists.", "error");
          redirect("/admin/applications");
        }
        await flash(error instanceof Error ? error.message : "The secret could not be rotated.", "error");
        redirect(`/admin/applications/${id}`);
      }
      revalidatePath(`/admin/applications/${id}`);
      await handOver(actor, id, clientSecret, "rotated");
      redirect(secretPage(id));
    },
  ),
);

export const deleteApplicationAction = adminAction(async (actor, id: string): Promise<void> => {
  try {
    if (!isRecordId(id)) throw new ApplicationNotFoundError(String(id));
    const application = await deleteApplication(db(), id, actor);
    await flash(`Deleted ${application.name}`);
  } catch (error) {
    if (!(error instanceof ApplicationNotFoundError)) throw error;
    await flash("That application was already deleted");
  }
  revalidatePath("/admin/applications");
  redirect("/admin/applications");
});
