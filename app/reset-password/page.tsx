import type { Metadata } from "next";
import Link from "next/link";
import { PublicCard } from "@/components/public-card";
import { ServiceUnavailable } from "@/components/service-unavailable";
import { buttonStyles } from "@/components/ui/button";
import { passwordRules } from "@/lib/auth/password";
import { describeWait } from "@/lib/auth/wait";
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { db } from "@/lib/db/client";
import { resetLinkMessages, resetLinkState, type ResetLinkState } from "@/lib/users/password-reset";
import { toUrlSearchParams, type PageSearchParams } from "@/lib/web/search-params";
import { resetPagePath } from "./paths";

// The link's token is in this page's address; the site's Referrer-Policy (same-origin) keeps it
// from other sites. (no-referrer would also make the browser send "Origin: null" with the form,
// which the same-site check must refuse.)
export const metadata: Metadata = { title: "Choose a new password" };

const input =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm aria-[invalid=true]:border-red-600";

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  const query = toUrlSearchParams(await searchParams);
  const token = query.get("token") ?? "";
  let link: ResetLinkState;
  try {
    link = await resetLinkState(db(), token);
  } catch (error) {
    if (isDatabaseUnavailable(error)) return <ServiceUnavailable retryHref={resetPagePath({ token })} />;
    throw error;
  }
  if (link.state !== "valid") {
    return (
      <PublicCard title="Password reset link">
        <p role="alert" data-testid="reset-problem" className="mt-3 text-sm text-slate-800">
          {resetLinkMessages[link.state]}
        </p>
        <Link href="/login" className={`${buttonStyles.secondary} mt-5 w-full`}>
          Go to sign-in
        </Link>
      </PublicCard>
    );
  }
  // Fixed words per reason, never text from the address bar.
  const problem = query.get("problem");
  const retry = Number(query.get("retry"));
  const passwordError =
    problem === "password"
      ? `Choose a password of ${passwordRules.minLength} to ${passwordRules.maxLength} characters.`
      : null;
  const confirmError = problem === "confirm" ? "The two passwords don't match: type the same one twice." : null;
  const throttled =
    problem === "throttled"
      ? `Too many attempts from your address: try again in ${
          Number.isInteger(retry) && retry > 0 ? describeWait(retry) : "a few minutes"
        }.`
      : null;
  return (
    <PublicCard title="Choose a new password">
      <p className="mt-2 text-sm text-slate-700">
        For <strong className="[overflow-wrap:anywhere]">{link.email}</strong>. Once it is set, you are signed out
        everywhere and sign in again with the new password.
      </p>
      {throttled ? (
        <p role="alert" data-testid="reset-problem" className="mt-3 text-sm text-red-700">
          {throttled}
        </p>
      ) : null}
      <form method="post" action="/reset-password/set" className="mt-5 space-y-4" noValidate>
        <input type="hidden" name="token" value={token} />
        {/* For password managers: the account the new password belongs to. */}
        <input type="hidden" name="username" autoComplete="username" value={link.email} />
        <div>
          <label htmlFor="new-password" className="block text-sm font-medium text-slate-900">
            New password
          </label>
          <input
            id="new-password"
            name="password"
            type="password"
            required
            minLength={passwordRules.minLength}
            maxLength={passwordRules.maxLength}
            autoComplete="new-password"
            aria-invalid={passwordError ? true : undefined}
            aria-describedby={passwordError ? "new-password-help new-password-error" : "new-password-help"}
            className={input}
          />
          <p id="new-password-help" className="mt-1 text-sm text-slate-600">
            At least {passwordRules.minLength} characters.
          </p>
          {passwordError ? (
            <p id="new-password-error" role="alert" className="mt-1 text-sm text-red-700">
              {passwordError}
            </p>
          ) : null}
        </div>
        <div>
          <label htmlFor="confirm-password" className="block text-sm font-medium text-slate-900">
            New password again
          </label>
          <input
            id="confirm-password"
            name="confirmPassword"
            type="password"
            required
            autoComplete="new-password"
            aria-invalid={confirmError ? true : undefined}
            aria-describedby={confirmError ? "confirm-password-error" : undefined}
            className={input}
          />
          {confirmError ? (
            <p id="confirm-password-error" role="alert" className="mt-1 text-sm text-red-700">
              {confirmError}
            </p>
          ) : null}
        </div>
        <button type="submit" className={`${buttonStyles.primary} w-full`}>
          Set password
        </button>
      </form>
    </PublicCard>
  );
}
