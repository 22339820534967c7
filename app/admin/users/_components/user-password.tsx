"use client";

import { useActionState, useEffect } from "react";
import { DateTime } from "@/components/date-time";
import { buttonStyles } from "@/components/ui/button";
import { CopyableValue } from "@/components/ui/copy-button";
import { TextField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import type { NewPasswordErrors } from "@/lib/users/commands";
import type { FormAnswer, ResetLinkState } from "../actions";

interface Props {
  email: string;
  minLength: number;
  /** How long a reset link stays valid, in words ("1 hour"). */
  linkLifetime: string;
  /** setUserPasswordAction and issueResetLinkAction bound to this user. */
  setPassword: (state: FormAnswer<NewPasswordErrors>, form: FormData) => Promise<FormAnswer<NewPasswordErrors>>;
  issueLink: (state: ResetLinkState, form: FormData) => Promise<ResetLinkState>;
}

/** An admin's two ways to give a user a new password: choose it, or hand them a one-time link. */
export function UserPassword({ email, minLength, linkLifetime, setPassword, issueLink }: Props) {
  const toast = useToast();
  const [answer, passwordAction, settingPassword] = useActionState(setPassword, {});
  const [link, linkAction, issuing] = useActionState(issueLink, {});
  useEffect(() => {
    if (answer.message) toast(answer.message);
  }, [answer, toast]);
  useEffect(() => {
    if (link.error) toast(link.error, "error");
  }, [link, toast]);
  const errors = answer.errors ?? {};
  return (
    <div className="space-y-6">
      <form action={passwordAction} key={answer.at} className="space-y-4" noValidate aria-label="Set a new password">
        <h3 className="text-sm font-semibold text-slate-900">Set a new password</h3>
        {answer.message ? (
          <p
            role="status"
            data-testid="password-set"
            className="rounded-md border border-green-200 bg-green-50 px-3 py-2 text-sm text-green-900"
          >
            {answer.message}
          </p>
        ) : null}
        {errors.form?.length ? (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {errors.form.join(" ")}
          </p>
        ) : null}
        <TextField
          name="password"
          label="New password"
          type="password"
          autoComplete="new-password"
          required
          errors={errors.password}
          help={`At least ${minLength} characters.`}
        />
        <TextField
          name="confirmPassword"
          label="New password again"
          type="password"
          autoComplete="new-password"
          required
          errors={errors.confirmPassword}
        />
        <p className="text-sm text-slate-600">
          {email} is signed out everywhere and every token their apps hold is revoked: whoever knew the old password
          loses what it opened. Tell them the new one safely.
        </p>
        <div className="flex justify-end">
          <button type="submit" className={buttonStyles.secondary} disabled={settingPassword}>
            {settingPassword ? "Setting…" : "Set password"}
          </button>
        </div>
      </form>

      <form action={linkAction} className="space-y-3 border-t border-slate-200 pt-5" aria-label="Password reset link">
        <h3 className="text-sm font-semibold text-slate-900">One-time reset link</h3>
        <p className="text-sm text-slate-600">
          A link {email} opens to choose a password themselves. It works once, for {linkLifetime}; issuing a new one
          makes older links stop working. Their sessions end when they use it.
        </p>
        {link.link ? (
          <div
            data-testid="reset-link"
            className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950"
          >
            <p role="status">
              Copy this link now and give it to {email}: it is shown only once. It expires{" "}
              <DateTime value={new Date(link.link.expiresAt)} withTime />.
            </p>
            <CopyableValue value={link.link.url} label="reset link" testId="reset-link-url" />
          </div>
        ) : null}
        {link.error ? (
          <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
            {link.error}
          </p>
        ) : null}
        <div className="flex justify-end">
          <button type="submit" className={buttonStyles.secondary} disabled={issuing}>
            {issuing ? "Issuing…" : link.link ? "Issue another link" : "Issue a reset link"}
          </button>
        </div>
      </form>
    </div>
  );
}
