import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { Logo } from "@/components/logo";
import { ServiceUnavailable } from "@/components/service-unavailable";
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { signInErrorMessage, accountDisabledCode } from "@/lib/auth/wait";
import { settings } from "@/lib/config/settings";
import { safeReturnPath } from "@/lib/web/return-path";
import { currentUser, type CurrentUser } from "@/lib/web/session";
import { csrfTokenHeader } from "@/lib/web/sign-in-csrf";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

/**
 * next-auth sends a failed sign-in back here with ?error=…. Never say which part was wrong: that
 * would tell an attacker which emails have accounts. Any other code gets a plain message, never the
 * code's own text (it comes from the address bar, which anyone can write).
 */
function errorMessage(code: string | undefined): string | null {
  if (code === undefined) return null;
  // A wrong password, a throttled attempt (throttled-<seconds>) and a disabled account (after the
  // right password) are told as lib/auth/wait.ts words them.
  if (code === "CredentialsSignin" || code === accountDisabledCode || code.startsWith("throttled-")) {
    return signInErrorMessage(code);
  }
  return "Signing in did not work. Please try again.";
}

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const { publicUrl } = settings();
  // next-auth returns here after a failure with the callback as an absolute URL on this site.
  const callbackUrl = safeReturnPath(
    typeof params.callbackUrl === "string" ? params.callbackUrl : undefined,
    publicUrl,
  );
  const switching = params.switch === "1";
  let user: CurrentUser | null;
  try {
    user = await currentUser();
  } catch (error) {
    if (isDatabaseUnavailable(error))
      return <ServiceUnavailable retryHref={`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`} />;
    throw error;
  }
  if (user && !switching) redirect(callbackUrl === "/" ? (user.role === "ADMIN" ? "/admin" : "/account") : callbackUrl);
  const csrfToken = (await headers()).get(csrfTokenHeader) ?? "";
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <p className="flex items-center justify-center gap-2 text-2xl font-bold tracking-tight text-slate-900">
          <Logo className="size-8 text-indigo-700" />
          Portcullis
        </p>
        <div className="mt-6 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          <h1 className="text-lg font-semibold">Sign in</h1>
          {switching && user ? (
            <p className="mt-1 text-sm text-slate-600">
              Signed in as {user.email}. Sign in with another account below.
            </p>
          ) : null}
          <SignInForm
            callbackUrl={callbackUrl}
            csrfToken={csrfToken}
            error={errorMessage(typeof params.error === "string" ? params.error : undefined)}
          />
        </div>
      </div>
    </main>
  );
}
