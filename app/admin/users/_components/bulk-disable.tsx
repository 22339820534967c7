"use client";

import { useActionState, useEffect } from "react";
import { ConfirmForm } from "@/components/ui/confirm-form";
import { useToast } from "@/components/ui/toaster";
import { disableUsersAction, type BulkDisableState } from "../actions";

/** The id of the form the list's row checkboxes belong to. */
export const bulkDisableFormId = "bulk-disable";

/** Disables the users ticked in the list, behind a confirmation; one plain POST. */
export function BulkDisable() {
  const [state, action, pending] = useActionState<BulkDisableState, FormData>(disableUsersAction, {});
  const toast = useToast();
  useEffect(() => {
    if (state.message) toast(state.message, state.ok ? "success" : "error");
  }, [state, toast]);
  return (
    <div className="mb-3 flex flex-wrap items-center gap-3">
      <ConfirmForm
        trigger="Disable selected"
        triggerVariant="secondary"
        title="Disable the selected users?"
        confirmLabel="Disable users"
        action={action}
        pending={pending}
        result={state}
        formId={bulkDisableFormId}
      >
        <p>
          Each selected user is signed out everywhere, every access and refresh token issued for them is revoked, and
          they cannot sign in until an administrator enables the account again. Your own account is skipped.
        </p>
      </ConfirmForm>
      {state.message ? (
        <p
          role="status"
          data-testid="bulk-result"
          className="min-w-0 flex-1 text-sm text-slate-700 [overflow-wrap:anywhere]"
        >
          {state.message}
        </p>
      ) : (
        <p className="text-sm text-slate-600">Tick users in the list, then disable them together.</p>
      )}
    </div>
  );
}
