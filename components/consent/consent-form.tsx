"use client";

import { useEffect, useState } from "react";
import { buttonStyles } from "@/components/ui/button";

/**
 * Allow and Deny: a plain POST to the flow's decision route (/oauth/authorize/decision, which
 * answers with a redirect to the client, or /device/decision). JavaScript only keeps a second click (or Enter) from sending a second answer while the
 * first one is under way; without it, the form works the same.
 */
export function ConsentForm({ action, fields }: { action: string; fields: Record<string, string> }) {
  const [pending, setPending] = useState(false);
  useEffect(() => {
    // Back from the client (bfcache): the form is usable again.
    const reset = (event: PageTransitionEvent) => event.persisted && setPending(false);
    window.addEventListener("pageshow", reset);
    return () => window.removeEventListener("pageshow", reset);
  }, []);
  return (
    <form
      method="post"
      action={action}
      onSubmit={(event) => {
        if (pending) event.preventDefault();
        else setPending(true);
      }}
      className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end"
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" name="decision" value="deny" aria-disabled={pending} className={buttonStyles.secondary}>
        Deny
      </button>
      <button type="submit" name="decision" value="allow" aria-disabled={pending} className={buttonStyles.primary}>
        Allow
      </button>
    </form>
  );
}
