import Link from "next/link";
import { Logo } from "@/components/logo";
import type { ReactNode } from "react";
import { SignOutButton } from "@/components/sign-out-button";
import { requireAdmin } from "@/lib/web/session";
import { AdminNav } from "./_components/admin-nav";

export default async function AdminLayout({ children }: { children: ReactNode }) {
  const admin = await requireAdmin();
  return (
    <div className="min-h-screen">
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
