"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { Actor } from "@/lib/audit/actor";
import { db } from "@/lib/db/client";
import { isRecordId } from "@/lib/db/record-id";
import {
  changedScopeFields,
  createScope,
  deleteScope,
  ScopeNotFoundError,
  scopeValuesFrom,
  scopeValuesOf,
  seenScopeValues,
  updateScope,
  type ScopeFieldErrors,
  type ScopeInput,
} from "@/lib/scopes/commands";
import { adminAction, formAction, unreadableForm } from "@/lib/web/actions";
import { postedVersion, seenValuesOf } from "@/lib/web/version-fields";
import { flash } from "@/lib/web/flash";

export interface ScopeFormState {
  errors?: ScopeFieldErrors;
  values?: ScopeInput;
  /** The scope changed after the form was drawn: the labels of the fields that changed. */
  conflict?: { changed: string[] };
  /** After a refused edit: the version the next save is conditional on, and what it holds. */
  edited?: { version: string; seen: ScopeInput };
}

const unreadable = (): ScopeFormState => ({ errors: { form: [unreadableForm] } });
const gone = "This scope no longer exists.";

export const createScopeAction = adminAction(
  formAction(unreadable, async (actor: Actor, _previous: ScopeFormState, form: FormData): Promise<ScopeFormState> => {
    const values = scopeValuesFrom(form);
    const result = await createScope(db(), values, actor);
    if (!result.ok) return { errors: result.errors, values };
    revalidatePath("/admin/scopes");
    await flash(`Created ${result.scope.name}`);
    redirect("/admin/scopes");
  }),
);

export const updateScopeAction = adminAction(
  formAction(
    unreadable,
    async (actor: Actor, id: string, _previous: ScopeFormState, form: FormData): Promise<ScopeFormState> => {
      const values = scopeValuesFrom(form);
      if (!isRecordId(id)) return { errors: { form: [gone] }, values };
      const drawnFrom = postedVersion(form);
      if (!drawnFrom) return unreadable();
      let version = drawnFrom;
      let seen = seenScopeValues(seenValuesOf(form));
      let result;
      try {
        result = await updateScope(db(), id, values, actor, { expectedVersion: version });
        if (!result.ok && "conflict" in result) {
          const current = scopeValuesOf(result.conflict);
          const changed = changedScopeFields(seen, current);
          version = result.conflict.updatedAt;
          seen = current;
          if (changed.length > 0)
            return { values, conflict: { changed }, edited: { version: version.toISOString(), seen: current } };
          // Only its timestamp moved (a save that changed nothing shown): saving undoes nothing.
          result = await updateScope(db(), id, values, actor, { expectedVersion: version });
        }
      } catch (error) {
        if (error instanceof ScopeNotFoundError) return { errors: { form: [gone] }, values };
        throw error;
      }
      if (!result.ok) return { errors: result.errors, values, edited: { version: version.toISOString(), seen } };
      revalidatePath("/admin/scopes");
      await flash(`Saved ${result.scope.name}`);
      redirect("/admin/scopes");
    },
  ),
);

/** A plain form POST (the confirmation dialog's): answers with a redirect and a toast either way. */
export const deleteScopeAction = adminAction(
  formAction(
    () => redirect("/admin/scopes"),
    async (actor: Actor, form: FormData): Promise<void> => {
      const id = form.get("id");
      if (!isRecordId(id)) {
        await flash("That scope was already deleted");
        redirect("/admin/scopes");
      }
      let result;
      try {
        result = await deleteScope(db(), id, actor);
      } catch (error) {
        if (!(error instanceof ScopeNotFoundError)) throw error;
        await flash("That scope was already deleted");
        redirect("/admin/scopes");
      }
      if (!result.ok) {
        await flash(result.message, "error");
        redirect(`/admin/scopes/${id}`);
      }
      revalidatePath("/admin/scopes");
      await flash(`Deleted ${result.scope.name}`);
      redirect("/admin/scopes");
    },
  ),
);
