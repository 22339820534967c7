"use client";

import { ConfirmForm } from "@/components/ui/confirm-form";
import { deleteScopeAction } from "../actions";

export function DeleteScopeButton({ id, name, grantedBy }: { id: string; name: string; grantedBy: number }) {
  return (
    <ConfirmForm
      trigger="Delete scope"
      title={`Delete ${name}?`}
      confirmLabel={`Delete ${name}`}
      action={deleteScopeAction}
      fields={{ id }}
    >
      <p>No client can request {name} any more: a request that names it is refused (invalid_scope).</p>
      <p className="mt-2" data-testid="delete-scope-grants">
        {grantedBy === 0
          ? "No user has granted it."
          : `${grantedBy === 1 ? "1 user has" : `${grantedBy} users have`} granted it to an application. Their tokens keep it until they expire; their consent keeps its name, shown as is under Connected apps.`}
      </p>
    </ConfirmForm>
  );
}
