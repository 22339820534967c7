"use client";

import { useRouter } from "next/navigation";
import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toaster";

/** What a revoke action answers: a sentence for the toast either way. */
export interface RevokeAccessResult {
  ok: boolean;
  message: string;
}

/** A server action (bound to the user where needed) that takes an application's access away. */
export type RevokeAccess = (applicationId: string) => Promise<RevokeAccessResult>;

interface Props {
  applicationId: string;
  name: string;
  revoke: RevokeAccess;
  /** Whose access it is, as the confirmation says it. */
  perspective: "self" | "admin";
}

export function RevokeAccessButton({ applicationId, name, revoke, perspective }: Props) {
  const toast = useToast();
  const router = useRouter();
  const self = perspective === "self";
  return (
    <ConfirmButton
      triggerVariant="secondary"
      trigger={
        <>
          Revoke<span className="sr-only"> access for {name}</span>
        </>
      }
      title={`Revoke access for ${name}?`}
      confirmLabel="Revoke access"
      onConfirm={async () => {
        try {
          const result = await revoke(applicationId);
          toast(result.message, result.ok ? "success" : "error");
        } catch {
          toast(`Could not revoke access for ${name}. Try again.`, "error");
        }
        router.refresh();
      }}
    >
      <p>
        <strong>{name}</strong> is signed out at once: every token it holds for {self ? "your" : "this user's"} account
        stops working. To use {self ? "your" : "their"} account again it has to ask {self ? "you" : "them"} for
        permission.
      </p>
    </ConfirmButton>
  );
}
