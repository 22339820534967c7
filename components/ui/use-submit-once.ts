"use client";

import { useEffect, useState, type FormEvent } from "react";

/**
 * For a form that POSTs and navigates away: once submitted it is pending, and a second click (or
 * Enter) is ignored until the browser leaves the page. Coming back to it from the history (the
 * back/forward cache keeps the page as it was) makes it usable again. Without JavaScript the form
 * works the same, only without the feedback.
 */
export function useSubmitOnce(): {
  pending: boolean;
  /** The value of the button that submitted the form ("" when it had none), once pending. */
  submitter: string | null;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
} {
  const [submitter, setSubmitter] = useState<string | null>(null);
  const pending = submitter !== null;
  useEffect(() => {
    const reset = (event: PageTransitionEvent) => event.persisted && setSubmitter(null);
    window.addEventListener("pageshow", reset);
    return () => window.removeEventListener("pageshow", reset);
  }, []);
  return {
    pending,
    submitter,
    onSubmit: (event) => {
      if (pending) event.preventDefault();
      else setSubmitter((event.nativeEvent as SubmitEvent).submitter?.getAttribute("value") ?? "");
    },
  };
}
