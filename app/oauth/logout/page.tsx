import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { Logo } from "@/components/logo";
import { buttonStyles } from "@/components/ui/button";
import { validateLogoutRequest } from "@/lib/oauth/logout";
import { protocol } from "@/lib/server/protocol";
import { toUrlSearchParams, type PageSearchParams } from "@/lib/web/search-params";
import { currentUser } from "@/lib/web/session";
import { confirmLogout } from "./actions";

export const metadata: Metadata = { title: "Sign out" };

export default async function LogoutPage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  const query = toUrlSearchParams(await searchParams);
  const done = query.get("done") === "1";
  query.delete("done");
  const request = await validateLogoutRequest(protocol(), query);
  const user = await currentUser();
  // Nobody to sign out: go straight back to the application, if it registered where.
  if (!user && request.returnTo) redirect(request.returnTo);
  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <p className="mb-4 flex items-center justify-center gap-2 text-sm font-semibold text-slate-700">
          <Logo className="size-5 text-indigo-700" />
          Portcullis
        </p>
        <section className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
          {user ? (
            <>
              <h1 className="text-lg font-semibold">Sign out?</h1>
              <p className="mt-2 text-sm text-slate-700">
                {request.client ? `${request.client.name} asked to sign you out. ` : ""}You are signed in as{" "}
                <strong>{user.email}</strong>.
              </p>
              {request.problem ? <p className="mt-2 text-sm text-amber-800">{request.problem}</p> : null}
              <form action={confirmLogout} className="mt-5">
                <input type="hidden" name="query" value={query.toString()} />
                <button type="submit" className={`${buttonStyles.primary} w-full`}>
                  Sign out
                </button>
              </form>
            </>
          ) : (
            <>
              <h1 className="text-lg font-semibold">{done ? "You are signed out" : "You are not signed in"}</h1>
              {request.problem ? <p className="mt-2 text-sm text-amber-800">{request.problem}</p> : null}
              <p className="mt-2 text-sm text-slate-700">You can close this window.</p>
            </>
          )}
        </section>
      </div>
    </main>
  );
}
