"use client";

import Link from "next/link";
import { useActionState, useEffect, useRef } from "react";
import { buttonStyles } from "@/components/ui/button";
import { EditConflict, VersionFields } from "@/components/ui/edit-conflict";
import { FieldError, TextField } from "@/components/ui/field";
import type { ScopeInput } from "@/lib/scopes/commands";
import type { ScopeFormState } from "../actions";

export function ScopeForm({
  action,
  initial,
  edited,
  protocol = false,
  reloadHref,
  submitLabel,
}: {
  action: (state: ScopeFormState, form: FormData) => Promise<ScopeFormState>;
  initial: ScopeInput;
  /** For an edit: the version the form shows, which the save is conditional on. */
  edited?: { version: string; seen: ScopeInput };
  /** A protocol scope: its name is fixed. */
  protocol?: boolean;
  /** For an edit: this page's address, to start again from what is stored. */
  reloadHref?: string;
  submitLabel: string;
}) {
  const [state, formAction, pending] = useActionState(action, {});
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // After a refused save, take the reader to what went wrong rather than leave them at the button.
    if (state.conflict || state.errors) summary.current?.focus();
  }, [state]);
  const values = state.values ?? initial;
  const errors = state.errors ?? {};
  const version = state.edited ?? edited;
  const problems = Object.values(errors).reduce((sum, list) => sum + (list?.length ?? 0), 0);
  return (
    // Remount with the submitted values after a refusal: React resets a form once its action ends.
    <form action={formAction} key={JSON.stringify([values, version?.version])} className="space-y-5" noValidate>
      {version ? <VersionFields version={version.version} seen={version.seen} /> : null}
      {state.conflict ? (
        <EditConflict
          subject="This scope"
          changed={state.conflict.changed}
          reloadHref={reloadHref}
          summaryRef={summary}
        />
      ) : problems > 0 ? (
        <div
          ref={summary}
          tabIndex={-1}
          aria-labelledby="form-problems-title"
          data-testid="form-errors"
          className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800 focus:outline-2 focus:outline-offset-2"
        >
          <h2 id="form-problems-title" className="font-semibold">
            Nothing was saved
          </h2>
          {errors.form?.length ? <p className="mt-1">{errors.form.join(" ")}</p> : null}
          {problems > (errors.form?.length ?? 0) ? <p className="mt-1">Fix the fields marked below.</p> : null}
        </div>
      ) : null}
      {protocol ? (
        <div>
          <p className="block text-sm font-medium text-slate-800">Name</p>
          <input type="hidden" name="name" value={values.name} />
          <p className="mt-1 font-mono text-sm text-slate-900" data-testid="scope-name">
            {values.name}
          </p>
          <p className="mt-1 text-sm text-slate-600">
            A protocol scope (OpenID Connect, OAuth): clients rely on its name, so it cannot be renamed or deleted.
          </p>
          <FieldError name="name" errors={errors.name} />
        </div>
      ) : (
        <TextField
          name="name"
          label="Name"
          required
          autoComplete="off"
          defaultValue={values.name}
          errors={errors.name}
          placeholder="orders:read"
          help="What clients put in the scope parameter: letters, digits and punctuation, no spaces. Renaming a scope applications use is refused; users who granted it are asked again under its new name."
        />
      )}
      <TextField
        name="description"
        label="Description"
        required
        autoComplete="off"
        defaultValue={values.description}
        errors={errors.description}
        help={'Shown on the consent screen after "This will allow the app to:". Write it for the person signing in.'}
      />
      <div>
        <div className="flex gap-3">
          <input
            id="field-isDefault"
            type="checkbox"
            name="isDefault"
            defaultChecked={values.isDefault}
            aria-describedby="field-isDefault-help"
            className="mt-0.5 size-4 shrink-0 rounded border-slate-400 accent-indigo-700"
          />
          <div>
            <label htmlFor="field-isDefault" className="text-sm font-medium text-slate-900">
              Default scope
            </label>
            <p id="field-isDefault-help" className="text-sm text-slate-600">
              Granted when a client asks for no scope at all (among those the client is allowed). A request that names
              its scopes gets only those.
            </p>
          </div>
        </div>
        <FieldError name="isDefault" errors={errors.isDefault} />
      </div>
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Link href="/admin/scopes" className={buttonStyles.secondary}>
          Cancel
        </Link>
        <button type="submit" className={buttonStyles.primary} disabled={pending}>
          {pending ? "Saving…" : state.conflict ? "Overwrite with my changes" : submitLabel}
        </button>
      </div>
    </form>
  );
}
