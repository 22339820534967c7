"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { buttonStyles } from "@/components/ui/button";
import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toaster";
import { setUserDisabledAction, setUserRoleAction, type UserActionResult } from "../actions";

interface Props {
  userId: string;
  email: string;
  role: "ADMIN" | "USER";
  disabled: boolean;
  /** The signed-in admin is looking at their own account. */
  self: boolean;
  /** This account is the only enabled admin: it can be neither demoted nor disabled. */
  lastAdmin: boolean;
}

/** Role and status changes for one user, each behind a confirmation; refusals are shown beside them. */
export function UserActions({ userId, email, role, disabled, self, lastAdmin }: Props) {
  const toast = useToast();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  async function run(action: () => Promise<UserActionResult>) {
    setError(null);
    try {
      const result = await action();
      if (result.ok) toast(result.message);
      else {
        setError(result.message);
        toast(result.message, "error");
      }
    } catch (failure) {
      // redirect() from the action arrives here as a thrown navigation: let Next handle it.
      if (failure instanceof Error && failure.message === "NEXT_REDIRECT") throw failure;
      setError("The change could not be saved. Try again.");
    }
    router.refresh();
  }

  return (
    <div className="space-y-4">
      {lastAdmin ? (
        <p
          id="last-admin-note"
          data-testid="last-admin-note"
          className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
        >
          {self ? "You are" : "This is"} the only enabled administrator, so {self ? "your" : "its"} admin role cannot be
          removed and the account cannot be disabled. Make another user an administrator first.
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        {role === "ADMIN" ? (
          <ConfirmButton
            trigger="Remove admin role"
            triggerVariant="secondary"
            title={self ? "Remove your own admin role?" : `Remove the admin role from ${email}?`}
            confirmLabel="Remove admin role"
            onConfirm={() => run(() => setUserRoleAction(userId, false))}
          >
            <p>
              {self
                ? "You lose access to this dashboard at once and are taken to your account page."
                : `${email} loses access to this dashboard at once. Their sign-in and connected apps are not affected.`}
            </p>
          </ConfirmButton>
        ) : (
          <ConfirmButton
            trigger="Make administrator"
            triggerVariant="secondary"
            title={`Make ${email} an administrator?`}
            confirmLabel="Make administrator"
            onConfirm={() => run(() => setUserRoleAction(userId, true))}
          >
            <p>Administrators can register and delete applications, manage every user, and read the audit log.</p>
          </ConfirmButton>
        )}
        {disabled ? (
          <button
            type="button"
            className={buttonStyles.secondary}
            disabled={pending}
            onClick={() => startTransition(() => run(() => setUserDisabledAction(userId, false)))}
          >
            {pending ? "Enabling…" : "Enable account"}
          </button>
        ) : (
          <ConfirmButton
            trigger="Disable account"
            title={self ? "Disable your own account?" : `Disable ${email}?`}
            confirmLabel="Disable account"
            onConfirm={() => run(() => setUserDisabledAction(userId, true))}
          >
            <p>
              {self ? "You are" : `${email} is`} signed out everywhere at once, every access and refresh token issued
              for {self ? "your" : "their"} account is revoked, and {self ? "you" : "they"} cannot sign in until an
              administrator enables the account again.
            </p>
          </ConfirmButton>
        )}
      </div>
      {error ? (
        <p
          role="alert"
          data-testid="user-action-error"
          className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
        >
          {error}
        </p>
      ) : null}
    </div>
  );
}
