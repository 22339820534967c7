"use client";

import { useActionState, useEffect, useRef } from "react";
import { buttonStyles } from "@/components/ui/button";
import { fieldIds, TextField } from "@/components/ui/field";
import { changePasswordAction, type PasswordFormState } from "../actions";

const fields = ["currentPassword", "newPassword", "confirmPassword"] as const;

export function PasswordForm({ email, minLength }: { email: string; minLength: number }) {
  const [state, formAction, pending] = useActionState<PasswordFormState, FormData>(changePasswordAction, {});
  const form = useRef<HTMLFormElement>(null);
  const errors = state.errors ?? {};
  // After a refused change, put the cursor in the first field that needs fixing.
  useEffect(() => {
    const first = fields.find((field) => state.errors?.[field]?.length);
    if (first) form.current?.querySelector<HTMLInputElement>(`#${fieldIds(first).input}`)?.focus();
  }, [state]);
  const count = Object.values(errors).reduce((sum, list) => sum + (list?.length ?? 0), 0);
  return (
    <form ref={form} action={formAction} className="space-y-5" noValidate>
      {count > 0 ? (
        <div
          role="alert"
          data-testid="form-errors"
          className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800"
        >
          {errors.form?.length
            ? errors.form.join(" ")
            : `The password was not changed: please fix ${count === 1 ? "the problem" : "the problems"} below.`}
        </div>
      ) : null}
      {/* Lets password managers file the new password under the right account. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <TextField
        name="currentPassword"
        label="Current password"
        type="password"
        autoComplete="current-password"
        required
        errors={errors.currentPassword}
      />
      <TextField
        name="newPassword"
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        errors={errors.newPassword}
        help={`At least ${minLength} characters. A long passphrase is easier to remember and harder to guess.`}
      />
      <TextField
        name="confirmPassword"
        label="Confirm new password"
        type="password"
        autoComplete="new-password"
        required
        errors={errors.confirmPassword}
      />
      <button type="submit" className={buttonStyles.primary} disabled={pending}>
        {pending ? "Changing password…" : "Change password"}
      </button>
    </form>
  );
}
