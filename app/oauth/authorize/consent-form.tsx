"use client";

import { buttonStyles } from "@/components/ui/button";
import { useSubmitOnce } from "@/components/ui/use-submit-once";

/**
 * Allow and Deny: a plain POST to /oauth/authorize/decision, which answers with a redirect to the
 * client. JavaScript only keeps a second click (or Enter) from sending a second answer while the
 * first one is under way; without it, the form works the same.
 */
export function ConsentForm({ query, userId }: { query: string; userId: string }) {
  const { pending, submitter, onSubmit } = useSubmitOnce();
  return (
    <form
      method="post"
      action="/oauth/authorize/decision"
      onSubmit={onSubmit}
      aria-busy={pending || undefined}
      className="mt-6 flex flex-col-reverse gap-2 sm:flex-row sm:justify-end"
    >
      <input type="hidden" name="query" value={query} />
      <input type="hidden" name="user" value={userId} />
      <button type="submit" name="decision" value="deny" aria-disabled={pending} className={buttonStyles.secondary}>
        {submitter === "deny" ? "Denying…" : "Deny"}
      </button>
      <button type="submit" name="decision" value="allow" aria-disabled={pending} className={buttonStyles.primary}>
        {submitter === "allow" ? "Allowing…" : "Allow"}
      </button>
    </form>
  );
}
