"use client";

import { useActionState, useEffect, useState } from "react";
import { DateTime } from "@/components/date-time";
import { ConfirmForm } from "@/components/ui/confirm-form";
import { useToast } from "@/components/ui/toaster";
import type { SessionListRow } from "@/lib/sessions/queries";
import type { EndSessionsState } from "../actions";

interface Props {
  email: string;
  sessions: SessionListRow[];
  /** endUserSessionsAction bound to this user. */
  endAll: (previous: EndSessionsState, form: FormData) => Promise<EndSessionsState>;
}

/** A user's live sessions and the admin's way to end them all. */
export function UserSessions({ email, sessions, endAll }: Props) {
  const [state, action, pending] = useActionState(endAll, null);
  const toast = useToast();
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  useEffect(() => {
    if (state) toast(state.message, state.ok ? "success" : "error");
  }, [state, toast]);
  return (
    <div className="space-y-4">
      {state && !hydrated ? (
        <p role="status" className="rounded-md border border-slate-200 bg-white px-3 py-2 text-sm text-slate-800">
          {state.message}
        </p>
      ) : null}
      {sessions.length === 0 ? (
        <p className="text-sm text-slate-600">Not signed in anywhere.</p>
      ) : (
        <>
          <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white shadow-sm">
            {sessions.map((session) => (
              <li key={session.id} data-testid="user-session" className="px-4 py-3 text-sm sm:px-5">
                <p className="font-medium text-slate-900">{session.device}</p>
                <p className="mt-0.5 text-slate-700 [overflow-wrap:anywhere]">
                  {session.ip ?? "Unknown address"} · signed in <DateTime value={session.signedInAt} withTime /> · last
                  active <DateTime value={session.lastSeenAt} withTime />
                </p>
              </li>
            ))}
          </ul>
          <ConfirmForm
            trigger="End all sessions"
            title={`End every session of ${email}?`}
            confirmLabel="End all sessions"
            action={action}
            pending={pending}
            result={state}
          >
            <p>
              {email} is signed out of every browser at once and has to sign in again. Apps they connected keep their
              tokens: revoke those below.
            </p>
          </ConfirmForm>
        </>
      )}
    </div>
  );
}
