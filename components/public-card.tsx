import type { ReactNode } from "react";
import { Logo } from "@/components/logo";

/** The frame of the public single-purpose pages (/device, /reset-password): narrow, readable on a phone. */
export function PublicCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-md">
        <p className="mb-4 flex items-center justify-center gap-2 text-sm font-semibold text-slate-700">
          <Logo className="size-5 text-indigo-700" />
          Portcullis
        </p>
        <section
          aria-labelledby="public-card-title"
          className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm"
        >
          <h1 id="public-card-title" className="text-lg font-semibold text-slate-900">
            {title}
          </h1>
          {children}
        </section>
      </div>
    </main>
  );
}
