import Link from "next/link";
import { Logo } from "@/components/logo";
import { headers } from "next/headers";
import { Suspense, type ReactNode } from "react";
import { NavigationProgress } from "@/components/ui/navigation-progress";
import { ServiceUnavailable } from "@/components/service-unavailable";
import { SignOutButton } from "@/components/sign-out-button";
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { safeReturnPath } from "@/lib/web/return-path";
import { requireAdmin, type CurrentUser } from "@/lib/web/session";
import { AdminNav } from "./_components/admin-nav";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  let admin: CurrentUser;
  try {
    admin = await requireAdmin();
  } catch (error) {
    // Every dashboard page reads the database; without it, one clear page rather than a 500.
    if (isDatabaseUnavailable(error))
      return <ServiceUnavailable retryHref={safeReturnPath((await headers()).get("x-portcullis-path"))} />;
    throw error;
  }
  return (
    <div className="min-h-screen">
      <Suspense>
        <NavigationProgress />
      </Suspense>
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link href="/admin" className="flex items-center gap-2 text-lg font-bold tracking-tight text-slate-900">
            <Logo className="size-6 text-indigo-700" />
            Portcullis
          </Link>
          <AdminNav />
          <div className="ml-auto flex items-center gap-3 text-sm text-slate-700">
            <span className="hidden sm:inline">{admin.email}</span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:py-8">
        {children}
      </main>
    </div>
  );
}
