"use client";

import { useOptimistic, useTransition } from "react";
import { useToast } from "@/components/ui/toaster";
import { setTrustedAction } from "../actions";

/** Saves on click: trusted applications never show the consent screen. */
export function TrustSwitch({ id, name, trusted }: { id: string; name: string; trusted: boolean }) {
  const [optimistic, setOptimistic] = useOptimistic(trusted);
  const [pending, startTransition] = useTransition();
  const toast = useToast();
  function toggle() {
    const next = !optimistic;
    startTransition(async () => {
      setOptimistic(next);
      try {
        const result = await setTrustedAction(id, next);
        if (!result.ok) toast(`${name} no longer exists`, "error");
        else toast(next ? `${name} is trusted: consent is skipped` : `${name} now asks users for consent`);
      } catch {
        toast(`Could not change ${name}. Try again.`, "error");
      }
    });
  }
  return (
    <button
      type="button"
      role="switch"
      aria-checked={optimistic}
      aria-label={`Trusted: ${name}`}
      aria-busy={pending || undefined}
      onClick={toggle}
      className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full border-2 border-transparent transition-colors ${
        optimistic ? "bg-indigo-700" : "bg-slate-400"
      }`}
    >
      <span
        aria-hidden="true"
        className={`inline-block size-5 rounded-full bg-white shadow transition-transform ${optimistic ? "translate-x-5" : "translate-x-0"}`}
      />
    </button>
  );
}
