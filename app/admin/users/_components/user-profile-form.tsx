"use client";

import { useActionState, useEffect, useRef } from "react";
import { buttonStyles } from "@/components/ui/button";
import { EditConflict, VersionFields } from "@/components/ui/edit-conflict";
import { TextField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import type { ProfileFormState, ProfileValues } from "../actions";

interface Props {
  /** updateUserProfileAction bound to this user. */
  action: (state: ProfileFormState, form: FormData) => Promise<ProfileFormState>;
  initial: ProfileValues;
  /** The user's updatedAt as the page read it: the save is conditional on it. */
  version: string;
  reloadHref: string;
}

/** The user's email and name; saving is conditional on the version the page showed. */
export function UserProfileForm({ action, initial, version, reloadHref }: Props) {
  const [state, formAction, pending] = useActionState(action, {});
  const summaryRef = useRef<HTMLDivElement>(null);
  const toast = useToast();
  const values = state.values ?? initial;
  const errors = state.errors ?? {};
  const edited = state.edited ?? { version, seen: initial };
  useEffect(() => {
    if (state.conflict || state.errors) summaryRef.current?.focus();
    if (state.saved) toast(state.saved.message);
  }, [state, toast]);
  return (
    // Remount with the submitted values after a refusal: React resets a form once its action ends.
    <form
      action={formAction}
      key={JSON.stringify([values, edited.version])}
      className="space-y-4"
      noValidate
      aria-label="Profile"
    >
      <VersionFields version={edited.version} seen={edited.seen} />
      {state.saved ? (
        <p role="status" data-testid="profile-saved" className="text-sm text-green-800">
          {state.saved.message}
        </p>
      ) : null}
      {state.conflict ? (
        <EditConflict
          subject="This user"
          changed={state.conflict.changed}
          reloadHref={reloadHref}
          summaryRef={summaryRef}
        />
      ) : errors.form?.length || errors.email?.length || errors.name?.length ? (
        <div
          ref={summaryRef}
          tabIndex={-1}
          role="alert"
          data-testid="form-errors"
          className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800 focus:outline-2 focus:outline-offset-2"
        >
          {errors.form?.length ? errors.form.join(" ") : "Nothing was saved: please fix the problems below."}
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
        help="The user signs in with it. Changing it does not sign them out."
      />
      <TextField
        name="name"
        label="Name"
        autoComplete="off"
        defaultValue={values.name}
        errors={errors.name}
        help="Optional. Shown to applications that ask for the profile scope."
      />
      <div className="flex justify-end">
        <button type="submit" className={buttonStyles.primary} disabled={pending}>
          {pending ? "Saving…" : state.conflict ? "Overwrite with my changes" : "Save profile"}
        </button>
      </div>
    </form>
  );
}
