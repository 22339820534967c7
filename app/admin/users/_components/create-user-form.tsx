"use client";

import Link from "next/link";
import { useActionState, useEffect, useRef } from "react";
import { buttonStyles } from "@/components/ui/button";
import { FieldError, fieldIds, TextField } from "@/components/ui/field";
import { createUserAction, type CreateUserState } from "../actions";

const fields = ["email", "name", "password"] as const;

export function CreateUserForm({ minLength }: { minLength: number }) {
  const [state, formAction, pending] = useActionState<CreateUserState, FormData>(createUserAction, {});
  const form = useRef<HTMLFormElement>(null);
  const values = state.values ?? { email: "", name: "", admin: false };
  const errors = state.errors ?? {};
  const count = Object.values(errors).reduce((sum, list) => sum + (list?.length ?? 0), 0);
  useEffect(() => {
    const first = fields.find((field) => state.errors?.[field]?.length);
    if (first) form.current?.querySelector<HTMLInputElement>(`#${fieldIds(first).input}`)?.focus();
  }, [state]);
  return (
    // Remount with the submitted values after a refusal: React resets a form once its action ends.
    <form ref={form} action={formAction} key={JSON.stringify(values)} className="space-y-5" noValidate>
      {count > 0 ? (
        <div
          role="alert"
          data-testid="form-errors"
          className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800"
        >
          {errors.form?.length
            ? errors.form.join(" ")
            : `The user was not created: please fix ${count === 1 ? "the problem" : "the problems"} below.`}
        </div>
      ) : null}
      <TextField
        name="email"
        label="Email"
        type="email"
        autoComplete="off"
        required
        defaultValue={values.email}
        errors={errors.email}
      />
      <TextField
        name="name"
        label="Name"
        autoComplete="off"
        defaultValue={values.name}
        errors={errors.name}
        help="Optional. Shown to applications that ask for the profile scope."
      />
      <TextField
        name="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        errors={errors.password}
        help={`At least ${minLength} characters. Share it with the person safely; they can change it after signing in.`}
      />
      <div className="flex gap-3">
        <input
          id="field-admin"
          type="checkbox"
          name="admin"
          defaultChecked={values.admin}
          aria-describedby="field-admin-help"
          className="mt-0.5 size-4 shrink-0 rounded border-slate-400 accent-indigo-700"
        />
        <div>
          <label htmlFor="field-admin" className="text-sm font-medium text-slate-900">
            Administrator
          </label>
          <p id="field-admin-help" className="text-sm text-slate-600">
            Can use this dashboard: register applications, manage users, read the audit log.
          </p>
          <FieldError name="admin" errors={(errors as Record<string, string[] | undefined>).admin} />
        </div>
      </div>
      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Link href="/admin/users" className={buttonStyles.secondary}>
          Cancel
        </Link>
        <button type="submit" className={buttonStyles.primary} disabled={pending}>
          {pending ? "Creating…" : "Create user"}
        </button>
      </div>
    </form>
  );
}
