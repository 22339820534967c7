"use client";

import { startTransition, useActionState, type FormEvent } from "react";
import { buttonStyles } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { RealTokensNote, TokenResponseView } from "@/app/admin/try-it/_components/token-views";
import type { ClientCredentialsState } from "./actions";
import { ScopeCheckboxes } from "./scope-checkboxes";

/** "Request a token": a form posting to a server action (works without JavaScript), the answer below it. */
export function ClientCredentialsForm({
  action,
  applicationId,
  scopes,
}: {
  action: (previous: ClientCredentialsState, form: FormData) => Promise<ClientCredentialsState>;
  applicationId: string;
  scopes: { name: string; description: string }[];
}) {
  const [state, request, pending] = useActionState(action, {});
  // Dispatched by hand rather than by the form's action, so React does not reset the form: the
  // chosen scopes stay for the next request. The secret field is emptied as it is sent.
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const secret = event.currentTarget.elements.namedItem("secret");
    if (secret instanceof HTMLInputElement) secret.value = "";
    startTransition(() => request(data));
  }
  return (
    <div className="space-y-4">
      <form action={request} onSubmit={submit} className="space-y-4">
        {state.errors?.form ? (
          <p role="alert" className="text-sm text-red-700" data-testid="client-credentials-error">
            {state.errors.form.join(" ")}
          </p>
        ) : null}
        <ScopeCheckboxes
          idPrefix="client-credentials"
          scopes={scopes}
          checked={state.scopes ?? []}
          errors={state.errors?.scope}
        />
        <TextField
          name="secret"
          label="Client secret"
          type="password"
          autoComplete="off"
          required
          help="This server keeps only a hash of the secret: paste it here. It is sent to the token endpoint with this one request and not stored."
          errors={state.errors?.secret}
        />
        <button type="submit" className={buttonStyles.primary} disabled={pending}>
          {pending ? "Requesting…" : "Request a token"}
        </button>
      </form>
      {state.tokenResponse ? (
        <div className="space-y-4" data-testid="client-credentials-result">
          <RealTokensNote applicationId={applicationId} />
          <TokenResponseView tokenResponse={state.tokenResponse} />
        </div>
      ) : null}
    </div>
  );
}
