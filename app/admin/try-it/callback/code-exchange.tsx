"use client";

import Link from "next/link";
import { useActionState, useEffect, useRef } from "react";
import { buttonStyles } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { exchangeCodeAction, type ExchangeState } from "./actions";
import {
  IdTokenView,
  ProblemNotice,
  RealTokensNote,
  TokenResponseView,
  UserinfoView,
} from "../_components/token-views";

export type CallbackView =
  | { kind: "code" }
  | { kind: "refused"; error: string; description: string | null }
  | { kind: "problem"; message: string };

interface Props {
  view: CallbackView;
  /** The authorization response's query string, posted back with the exchange. */
  response: string;
  app: { id: string; name: string; confidential: boolean } | null;
  codeLifetime: number;
}

function BackLink({ app }: { app: { id: string; name: string } | null }) {
  return (
    <Link
      href={app ? `/admin/applications/${app.id}/try-it` : "/admin/applications"}
      className={buttonStyles.secondary}
    >
      {app ? `Back to Try it for ${app.name}` : "Back to the applications"}
    </Link>
  );
}

/**
 * The test callback's exchange: a form posting the response (and, for a confidential app, the
 * pasted secret) to a server action, which works as a plain POST without JavaScript. With
 * JavaScript, a public app's code is exchanged at once, as a relying party's callback would.
 */
export function CodeExchange({ view, response, app, codeLifetime }: Props) {
  const [state, exchange, pending] = useActionState<ExchangeState, FormData>(exchangeCodeAction, {});
  const form = useRef<HTMLFormElement>(null);
  const started = useRef(false);
  const automatic = view.kind === "code" && app !== null && !app.confidential;
  useEffect(() => {
    if (automatic && !started.current) {
      started.current = true;
      form.current?.requestSubmit();
    }
  }, [automatic]);

  if (state.result) {
    const { tokenResponse, idToken, userinfo, application } = state.result;
    return (
      <div className="space-y-6" data-testid="try-it-result">
        <p role="status" className="text-sm text-slate-700">
          The code was exchanged at the token endpoint.
        </p>
        <RealTokensNote applicationId={application.id} />
        <TokenResponseView tokenResponse={tokenResponse} />
        {idToken ? <IdTokenView idToken={idToken} /> : null}
        {userinfo ? <UserinfoView userinfo={userinfo} /> : null}
        <BackLink app={application} />
      </div>
    );
  }
  const problem =
    state.problem && !state.problem.retry ? state.problem.message : view.kind === "problem" ? view.message : null;
  if (problem) {
    return (
      <div className="space-y-4">
        <ProblemNotice title="This sign-in cannot be completed" testId="try-it-problem">
          <p>{problem}</p>
          <p>Start again from the application&apos;s Try it tab.</p>
        </ProblemNotice>
        <BackLink app={app} />
      </div>
    );
  }
  if (view.kind === "refused") {
    return (
      <div className="space-y-4">
        <ProblemNotice title="The authorization server refused" testId="try-it-refused">
          <p>
            It answered <code className="font-mono">{view.error}</code>
            {view.description ? `: ${view.description}` : "."}
          </p>
          {view.error === "access_denied" ? <p>That is what the app hears when a user chooses Deny.</p> : null}
        </ProblemNotice>
        <BackLink app={app} />
      </div>
    );
  }
  return (
    <form
      ref={form}
      action={exchange}
      className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
    >
      <h2 className="text-base font-semibold text-slate-900">Exchange the code</h2>
      <p className="text-sm text-slate-700">
        The authorization endpoint sent a code to the test callback, with the state this browser sent (checked).
        {app?.confidential
          ? ` Paste the client secret of ${app.name} to exchange it at the token endpoint: this server keeps only a hash of it. It is sent with this one request and not stored. Codes expire ${codeLifetime} seconds after they are issued.`
          : " A public app proves itself with its PKCE code verifier, which this browser kept."}
      </p>
      {state.problem ? (
        <p role="alert" className="text-sm text-red-700">
          {state.problem.message}
        </p>
      ) : null}
      <input type="hidden" name="response" value={response} />
      {app?.confidential ? (
        <TextField
          name="secret"
          label="Client secret"
          type="password"
          autoComplete="off"
          required
          errors={state.secretErrors}
        />
      ) : null}
      <button type="submit" className={buttonStyles.primary} disabled={pending}>
        {pending ? "Exchanging…" : "Exchange the code"}
      </button>
    </form>
  );
}
