"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { buttonStyles } from "@/components/ui/button";
import { signInErrorMessage } from "@/lib/auth/wait";

export function SignInForm({
  callbackUrl,
  initialError = null,
}: {
  callbackUrl: string;
  initialError?: string | null;
}) {
  const [error, setError] = useState<string | null>(initialError);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    const form = new FormData(event.currentTarget);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    if (result?.ok && !result.error) {
      // A full navigation, so the server renders the next page with the new session cookie.
      window.location.assign(callbackUrl === "/" ? "/" : callbackUrl);
      return;
    }
    setPending(false);
    // Never say which part was wrong: that would tell an attacker which emails have accounts. A
    // throttled attempt says how long to wait, as it would for an unknown email.
    setError(signInErrorMessage(result?.error ?? "CredentialsSignin"));
  }

  return (
    <form onSubmit={submit} className="mt-4 space-y-4" noValidate>
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
      <button type="submit" disabled={pending} className={`${buttonStyles.primary} w-full`}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
