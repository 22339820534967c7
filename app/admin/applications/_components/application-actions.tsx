"use client";

import { useState } from "react";
import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { CopyableValue } from "@/components/ui/copy-button";
import { useToast } from "@/components/ui/toaster";
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

export function RotateSecretButton({ id, name }: { id: string; name: string }) {
  const [secret, setSecret] = useState<string | null>(null);
  const toast = useToast();
  return (
    <div className="space-y-3">
      <ConfirmButton
        trigger="Rotate secret"
        triggerVariant="secondary"
        title={`Rotate the secret of ${name}?`}
        confirmLabel="Rotate secret"
        onConfirm={async () => {
          const result = await rotateSecretAction(id);
          if (result.ok) {
            setSecret(result.clientSecret);
            toast("New secret issued. The old one no longer works.");
          } else toast(result.message, "error");
        }}
      >
        <p>
          A new secret is issued and the current one stops working immediately. Update the application before it next
          requests a token.
        </p>
      </ConfirmButton>
      {secret ? (
        <div className="rounded-md border border-amber-200 bg-amber-50 p-3">
          <p className="mb-2 text-sm font-medium text-amber-900">
            New client secret: copy it now, it won&apos;t be shown again.
          </p>
          <CopyableValue value={secret} label="new client secret" testId="rotated-client-secret" />
        </div>
      ) : null}
    </div>
  );
}
