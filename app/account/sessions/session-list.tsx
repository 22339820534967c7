"use client";

import { useActionState, useEffect, useState } from "react";
import { DateTime } from "@/components/date-time";
import { ConfirmForm } from "@/components/ui/confirm-form";
import { useToast } from "@/components/ui/toaster";
import type { SessionListRow } from "@/lib/sessions/queries";
import { endMyOtherSessionsAction, endMySessionAction, type SessionsFormState } from "../actions";

/** Toasts each answer once JavaScript runs; before that (or without it) the page shows it. */
function useAnswer(state: SessionsFormState): SessionsFormState {
  const toast = useToast();
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  useEffect(() => {
    if (state) toast(state.message, state.ok ? "success" : "error");
  }, [state, toast]);
  return hydrated ? null : state;
}

export function SessionList({ sessions, currentSessionId }: { sessions: SessionListRow[]; currentSessionId: string }) {
  const [ended, endOne, endingOne] = useActionState(endMySessionAction, null);
  const [endedOthers, endOthers, endingOthers] = useActionState(endMyOtherSessionsAction, null);
  const shown = useAnswer(ended);
  const shownOthers = useAnswer(endedOthers);
  const others = sessions.filter((session) => session.id !== currentSessionId).length;
  return (
    <div className="space-y-4">
      {[shown, shownOthers].map((answer, index) =>
        answer ? (
          <p
            key={index}
            role="status"
            className={`rounded-md border px-3 py-2 text-sm ${answer.ok ? "border-slate-200 bg-white text-slate-800" : "border-red-200 bg-red-50 text-red-800"}`}
          >
            {answer.message}
          </p>
        ) : null,
      )}
      <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white shadow-sm">
        {sessions.map((session) => {
          const current = session.id === currentSessionId;
          return (
            <li
              key={session.id}
              data-testid="session"
              data-current={current ? "true" : undefined}
              className="flex flex-wrap items-start justify-between gap-3 px-4 py-3 sm:px-5"
            >
              <div className="min-w-0">
                <p className="flex flex-wrap items-center gap-2 font-medium text-slate-900">
                  {session.device}
                  {current ? (
                    <span className="rounded-full bg-green-100 px-2 py-0.5 text-xs font-medium text-green-800">
                      This session
                    </span>
                  ) : null}
                </p>
                <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 text-sm text-slate-700">
                  <dt>IP address</dt>
                  <dd className="min-w-0 [overflow-wrap:anywhere]">{session.ip ?? "Unknown"}</dd>
                  <dt>Signed in</dt>
                  <dd>
                    <DateTime value={session.signedInAt} withTime />
                  </dd>
                  <dt>Last active</dt>
                  <dd>
                    <DateTime value={session.lastSeenAt} withTime />
                  </dd>
                </dl>
                <p className="mt-1 text-xs [overflow-wrap:anywhere] text-slate-600" title="The browser's User-Agent">
                  {session.userAgent || "No browser name sent"}
                </p>
              </div>
              {current ? null : (
                <ConfirmForm
                  trigger={
                    <>
                      End<span className="sr-only"> session: {session.device}</span>
                    </>
                  }
                  triggerVariant="secondary"
                  title={`End the session on ${session.device}?`}
                  confirmLabel="End session"
                  action={endOne}
                  pending={endingOne}
                  result={ended}
                  fields={{ sessionId: session.id }}
                >
                  <p>That browser is signed out at once and has to sign in again.</p>
                </ConfirmForm>
              )}
            </li>
          );
        })}
      </ul>
      {others > 0 ? (
        <ConfirmForm
          trigger="End all other sessions"
          title="End all other sessions?"
          confirmLabel="End other sessions"
          action={endOthers}
          pending={endingOthers}
          result={endedOthers}
        >
          <p>
            {others === 1 ? "The other browser" : `The ${others} other browsers`} signed in to your account{" "}
            {others === 1 ? "is" : "are"} signed out at once. This browser stays signed in.
          </p>
        </ConfirmForm>
      ) : (
        <p className="text-sm text-slate-600">No other browser is signed in to your account.</p>
      )}
    </div>
  );
}
