"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";
import { buttonStyles, type ButtonVariant } from "./button";

// Invoker commands (HTML): a button opens or closes a <dialog> by itself, without JavaScript.
declare module "react" {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- must repeat the augmented interface's type parameter
  interface ButtonHTMLAttributes<T> {
    commandfor?: string;
    command?: "show-modal" | "close";
  }
}

interface ConfirmFormProps {
  trigger: ReactNode;
  triggerVariant?: ButtonVariant;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** The form's action (a server action, or useActionState's dispatcher for one). */
  action: (form: FormData) => void | Promise<void>;
  /** Hidden fields posted with the form. */
  fields?: Record<string, string>;
  pending?: boolean;
  /** The action's latest answer: the dialog closes whenever it changes. */
  result?: unknown;
  /** The form's id, for controls elsewhere on the page that it posts (their `form` attribute). */
  formId?: string;
}

/**
 * A destructive form behind a modal confirmation that works with and without JavaScript: the
 * trigger opens the native <dialog> through an invoker command (and a click handler for browsers
 * without them), and confirming submits a plain form, so the action also runs as a POST.
 */
export function ConfirmForm({
  trigger,
  triggerVariant = "danger",
  title,
  children,
  confirmLabel,
  action,
  fields = {},
  pending = false,
  result,
  formId,
}: ConfirmFormProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => dialog.current?.close(), [result]);
  // useId's colons are fine in an id and in commandfor, which match the id as it is.
  const id = useId();
  const titleId = `${id}-title`;
  return (
    <>
      <button
        type="button"
        className={buttonStyles[triggerVariant]}
        commandfor={id}
        command="show-modal"
        onClick={() => {
          if (!dialog.current?.open) dialog.current?.showModal();
        }}
      >
        {trigger}
      </button>
      <dialog
        id={id}
        ref={dialog}
        aria-labelledby={titleId}
        className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg bg-white p-0 shadow-xl"
      >
        <form action={action} id={formId}>
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <div className="p-5 [overflow-wrap:anywhere]">
            <h2 id={titleId} className="text-lg font-semibold text-slate-900">
              {title}
            </h2>
            <div className="mt-2 text-sm text-slate-700">{children}</div>
          </div>
          <div className="flex justify-end gap-2 border-t border-slate-200 bg-slate-50 px-5 py-3">
            <button
              type="button"
              className={buttonStyles.secondary}
              commandfor={id}
              command="close"
              onClick={() => dialog.current?.close()}
              autoFocus
            >
              Cancel
            </button>
            <button type="submit" className={buttonStyles.danger} disabled={pending}>
              {pending ? "Working…" : confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
