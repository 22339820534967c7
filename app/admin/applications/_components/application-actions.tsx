"use client";

import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { ConfirmForm } from "@/components/ui/confirm-form";
import { deleteApplicationAction, rotateSecretAction } from "../actions";

export function DeleteApplicationButton({ id, name }: { id: string; name: string }) {
  return (
    <ConfirmButton
      trigger="Delete"
      title={`Delete ${name}?`}
      confirmLabel={`Delete ${name}`}
      onConfirm={() => deleteApplicationAction(id)}
    >
      <p>
        <strong>{name}</strong> will stop working at once: its client ID is removed, and every code, token and consent
        it holds is deleted. This cannot be undone.
      </p>
    </ConfirmButton>
  );
}

/** A plain form behind the confirmation: the new secret is shown once on its own page (./[id]/secret). */
export function RotateSecretButton({ id, name }: { id: string; name: string }) {
  return (
    <ConfirmForm
      trigger="Rotate secret"
      triggerVariant="secondary"
      title={`Rotate the secret of ${name}?`}
      confirmLabel="Rotate secret"
      action={rotateSecretAction.bind(null, id)}
    >
      <p>
        A new secret is issued and the current one stops working immediately. Update the application before it next
        requests a token.
      </p>
    </ConfirmForm>
  );
}
