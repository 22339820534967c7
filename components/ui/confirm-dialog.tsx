"use client";

import { useId, useRef, useTransition, type ReactNode } from "react";
import { buttonStyles, type ButtonVariant } from "./button";

interface ConfirmButtonProps {
  /** The button that opens the dialog. */
  trigger: ReactNode;
  triggerVariant?: ButtonVariant;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<void> | void;
}

/** A destructive action behind a modal confirmation (native <dialog>: focus is trapped and Esc cancels). */
export function ConfirmButton({
  trigger,
  triggerVariant = "danger",
  title,
  children,
  confirmLabel,
  onConfirm,
}: ConfirmButtonProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [pending, startTransition] = useTransition();
  // Unique per dialog: two can share a title (two applications with the same name).
  const titleId = useId();
  return (
    <>
      <button type="button" className={buttonStyles[triggerVariant]} onClick={() => dialog.current?.showModal()}>
        {trigger}
      </button>
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-lg bg-white p-0 shadow-xl"
      >
        <div className="p-5">
          <h2 id={titleId} className="text-lg font-semibold text-slate-900">
            {title}
          </h2>
          <div className="mt-2 text-sm text-slate-700">{children}</div>
        </div>
        <div className="flex justify-end gap-2 border-t border-slate-200 bg-slate-50 px-5 py-3">
          <button type="button" className={buttonStyles.secondary} onClick={() => dialog.current?.close()} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            className={buttonStyles.danger}
            disabled={pending}
            onClick={() =>
              startTransition(async () => {
                await onConfirm();
                dialog.current?.close();
              })
            }
          >
            {pending ? "Working…" : confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
