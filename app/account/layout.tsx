import Link from "next/link";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { Logo } from "@/components/logo";
import { ServiceUnavailable } from "@/components/service-unavailable";
import { SignOutButton } from "@/components/sign-out-button";
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { safeReturnPath } from "@/lib/web/return-path";
import { requireUser, type CurrentUser } from "@/lib/web/session";
import { AccountNav } from "./_components/account-nav";

export default async function AccountLayout({ children }: { children: ReactNode }) {
  let user: CurrentUser;
  try {
    user = await requireUser();
  } catch (error) {
    if (isDatabaseUnavailable(error))
      return <ServiceUnavailable retryHref={safeReturnPath((await headers()).get("x-portcullis-path"))} />;
    throw error;
  }
  return (
    <div className="min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-4xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link href="/account" className="flex items-center gap-2 text-lg font-bold tracking-tight text-slate-900">
            <Logo className="size-6 text-indigo-700" />
            Portcullis
          </Link>
          <div className="ml-auto flex min-w-0 flex-wrap items-center justify-end gap-x-4 gap-y-2 text-sm text-slate-700">
            <span className="min-w-0 truncate" data-testid="account-email">
              {user.email}
            </span>
            {user.role === "ADMIN" ? (
              <Link href="/admin" className="font-medium text-indigo-700 hover:underline">
                Admin dashboard
              </Link>
            ) : null}
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-4xl px-4 py-6 sm:py-8">
        <AccountNav />
        {children}
      </main>
    </div>
  );
}
