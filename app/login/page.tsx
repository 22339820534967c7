import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Logo } from "@/components/logo";
import { signInErrorMessage } from "@/lib/auth/wait";
import { safeReturnPath } from "@/lib/web/return-path";
import { currentUser } from "@/lib/web/session";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const callbackUrl = safeReturnPath(typeof params.callbackUrl === "string" ? params.callbackUrl : undefined);
  const switching = params.switch === "1";
  const user = await currentUser();
  if (user && !switching) redirect(callbackUrl === "/" ? (user.role === "ADMIN" ? "/admin" : "/account") : callbackUrl);
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
            initialError={signInErrorMessage(typeof params.error === "string" ? params.error : null)}
          />
        </div>
      </div>
    </main>
  );
}
