import type { Metadata } from "next";
import { ConnectedApps, connectedAppsPageSize } from "@/components/connected-apps";
import { PageHeader } from "@/components/ui/page-header";
import { connectedApps } from "@/lib/access/queries";
import { pageOf, requestedPage } from "@/lib/pagination";
import type { PageSearchParams } from "@/lib/web/search-params";
import { scopeCatalogue } from "@/lib/scopes/catalogue";
import { db } from "@/lib/db/client";
import { requireUser } from "@/lib/web/session";
import { revokeMyAccessAction } from "./actions";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  const user = await requireUser("/account");
  const apps = pageOf(
    await connectedApps(db(), user.id),
    requestedPage((await searchParams).page),
    connectedAppsPageSize,
  );
  return (
    <>
      <PageHeader
        title="Your account"
        description={<>Signed in as {user.name ? `${user.name} (${user.email})` : user.email}.</>}
      />
      <section aria-labelledby="connected-apps-title">
        <h2 id="connected-apps-title" className="text-lg font-semibold text-slate-900">
          Connected apps
        </h2>
        <p className="mb-4 mt-1 text-sm text-slate-600">
          Apps you have allowed to use your account. Revoke an app to sign it out at once; it will have to ask you
          again.
        </p>
        <ConnectedApps
          apps={apps}
          hrefFor={(page) => (page > 1 ? `/account?page=${page}` : "/account")}
          catalogue={await scopeCatalogue(db()).read()}
          revoke={revokeMyAccessAction}
          perspective="self"
        />
      </section>
    </>
  );
}
