"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { ConfirmButton } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toaster";
import type { TokenKind } from "@/lib/tokens/commands";
import { revokeAllTokensAction, revokeTokenAction } from "./actions";

export function RevokeTokenButton({
  applicationId,
  kind,
  tokenId,
  label,
}: {
  applicationId: string;
  kind: TokenKind;
  tokenId: string;
  label: string;
}) {
  const toast = useToast();
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <button
      type="button"
      disabled={pending}
      aria-label={`Revoke ${label}`}
      className="rounded-md border border-red-300 px-2.5 py-1 text-xs font-medium text-red-800 hover:bg-red-50 disabled:opacity-60"
      onClick={() =>
        startTransition(async () => {
          try {
            const result = await revokeTokenAction(applicationId, kind, tokenId);
            toast(result.ok ? "Token revoked" : result.message, result.ok ? "success" : "error");
          } catch {
            toast("Could not revoke the token. Try again.", "error");
          }
          router.refresh();
        })
      }
    >
      {pending ? "Revoking…" : "Revoke"}
    </button>
  );
}

export function RevokeAllButton({
  applicationId,
  name,
  accessTokens,
  refreshTokens,
}: {
  applicationId: string;
  name: string;
  accessTokens: number;
  refreshTokens: number;
}) {
  const toast = useToast();
  const router = useRouter();
  const total = accessTokens + refreshTokens;
  if (total === 0) return null;
  return (
    <ConfirmButton
      trigger="Revoke all tokens"
      title={`Revoke all tokens of ${name}?`}
      confirmLabel={`Revoke ${total} token${total === 1 ? "" : "s"}`}
      onConfirm={async () => {
        try {
          const result = await revokeAllTokensAction(applicationId);
          if (result.ok) toast(`Revoked ${result.accessTokens} access and ${result.refreshTokens} refresh tokens`);
          else toast(result.message, "error");
        } catch {
          toast(`Could not revoke the tokens of ${name}. Try again.`, "error");
        }
        router.refresh();
      }}
    >
      <p>
        This revokes{" "}
        <strong>
          {accessTokens} access token{accessTokens === 1 ? "" : "s"}
        </strong>{" "}
        and{" "}
        <strong>
          {refreshTokens} refresh token{refreshTokens === 1 ? "" : "s"}
        </strong>
        . Every user of {name} will have to sign in to it again. Consents are kept.
      </p>
    </ConfirmButton>
  );
}
