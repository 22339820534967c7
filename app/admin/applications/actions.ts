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
import {
  changedFieldLabels,
  formValuesFrom,
  formValuesFromJson,
  formValuesOf,
  type ApplicationFormValues,
} from "@/lib/applications/form-values";
import { editedVersionOf, seenField } from "@/lib/web/edit-version";

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
  /** Set once, right after a secret was issued: the only time it is ever shown. */
  issued?: { applicationId: string; name: string; clientId: string; clientSecret?: string };
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
      return {
        issued: { applicationId: application.id, name: application.name, clientId: application.clientId, clientSecret },
      };
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
      const drawnFrom = editedVersionOf(form);
      if (!drawnFrom) return unreadable();
      let version = drawnFrom;
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
        return {
          issued: {
            applicationId: application.id,
            name: application.name,
            clientId: application.clientId,
            clientSecret,
          },
        };
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

export const rotateSecretAction = adminAction(
  async (actor, id: string): Promise<{ ok: true; clientSecret: string } | { ok: false; message: string }> => {
    if (!isRecordId(id)) return { ok: false, message: "This application no longer exists." };
    try {
      const { clientSecret } = await rotateClientSecret(db(), id, actor);
      revalidatePath(`/admin/applications/${id}`);
      return { ok: true, clientSecret };
    } catch (error) {
      if (error instanceof ApplicationNotFoundError)
        return { ok: false, message: "This application no longer exists." };
      return { ok: false, message: error instanceof Error ? error.message : "The secret could not be rotated." };
    }
  },
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
