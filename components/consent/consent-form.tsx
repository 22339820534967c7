"use client";

import { buttonStyles } from "@/components/ui/button";
import { useSubmitOnce } from "@/components/ui/use-submit-once";

/**
 * Allow and Deny: a plain POST to the flow's decision route (/oauth/authorize/decision, which
 * answers with a redirect to the client, or /device/decision). JavaScript only keeps a second
 * click (or Enter) from sending a second answer while the first one is under way; without it, the
 * form works the same.
 */
export function ConsentForm({ action, fields }: { action: string; fields: Record<string, string> }) {
  const { pending, submitter, onSubmit } = useSubmitOnce();
  return (
    <form
      method="post"
      action={action}
      onSubmit={onSubmit}
      aria-busy={pending || undefined}
      className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end"
    >
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button type="submit" name="decision" value="deny" aria-disabled={pending} className={buttonStyles.secondary}>
        {submitter === "deny" ? "Denying…" : "Deny"}
      </button>
      <button type="submit" name="decision" value="allow" aria-disabled={pending} className={buttonStyles.primary}>
        {submitter === "allow" ? "Allowing…" : "Allow"}
      </button>
    </form>
  );
}
