"use client";

import { buttonStyles } from "@/components/ui/button";
import { useSubmitOnce } from "@/components/ui/use-submit-once";

/**
 * A plain POST to next-auth's credentials callback, so that it works before the page's JavaScript
 * has loaded, or without it, and never puts the password in a URL. next-auth checks the CSRF token
 * (proxy.ts set its cookie), redirects to the callback on success and back here with ?error=… on
 * failure. JavaScript only disables the button while the browser submits.
 */
export function SignInForm({
  callbackUrl,
  csrfToken,
  error,
}: {
  callbackUrl: string;
  csrfToken: string;
  error: string | null;
}) {
  const { pending, onSubmit } = useSubmitOnce();

  return (
    <form method="post" action="/api/auth/callback/credentials" onSubmit={onSubmit} className="mt-4 space-y-4">
      <input type="hidden" name="csrfToken" value={csrfToken} />
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      {error ? (
        <p
          id="sign-in-error"
          role="alert"
          data-testid="sign-in-error"
          className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800"
        >
          {error}
        </p>
      ) : null}
      <div>
        <label htmlFor="email" className="block text-sm font-medium text-slate-800">
          Email
        </label>
        <input
          id="email"
          name="email"
          type="email"
          autoComplete="username"
          required
          aria-describedby={error ? "sign-in-error" : undefined}
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm"
        />
      </div>
      <div>
        <label htmlFor="password" className="block text-sm font-medium text-slate-800">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm"
        />
      </div>
      <button type="submit" aria-disabled={pending} className={`${buttonStyles.primary} w-full`}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
