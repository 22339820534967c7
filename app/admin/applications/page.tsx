import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { ButtonLink, buttonStyles } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Pagination } from "@/components/ui/pagination";
import { PageHeader } from "@/components/ui/page-header";
import { listApplications, listQueryFrom, type ApplicationListQuery } from "@/lib/applications/queries";
import { db } from "@/lib/db/client";
import { grantTypeInfo, grantTypes } from "@/lib/oauth/grant-types";
import { TrustSwitch } from "./_components/trust-switch";
import { requireAdmin } from "@/lib/web/session";

export const metadata: Metadata = { title: "Applications" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function hrefWith(query: ApplicationListQuery, changes: Partial<ApplicationListQuery>): string {
  const next = { ...query, ...changes };
  const params = new URLSearchParams();
  if (next.search) params.set("q", next.search);
  if (next.grantType) params.set("grant", next.grantType);
  if (next.clientType) params.set("type", next.clientType);
  if (next.trusted !== undefined) params.set("trusted", next.trusted ? "yes" : "no");
  if (next.sort) params.set("sort", next.sort);
  if (next.page && next.page > 1) params.set("page", String(next.page));
  const text = params.toString();
  return `/admin/applications${text ? `?${text}` : ""}`;
}

const selectStyle = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

export default async function ApplicationsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireAdmin();
  const query = listQueryFrom(await searchParams);
  const page = await listApplications(db(), query);
  const filtered = Boolean(query.search || query.grantType || query.clientType || query.trusted !== undefined);
  return (
    <>
      <PageHeader
        title="Applications"
        description="OAuth clients registered with this server."
        actions={<ButtonLink href="/admin/applications/new">New application</ButtonLink>}
      />

      <form
        role="search"
        aria-label="Filter applications"
        className="mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-6"
      >
        <div className="sm:col-span-2">
          <label htmlFor="q" className="block text-sm font-medium text-slate-800">
            Search
          </label>
          <input
            id="q"
            name="q"
            type="search"
            defaultValue={query.search}
            placeholder="Name or client ID"
            className={selectStyle}
          />
        </div>
        <div>
          <label htmlFor="grant" className="block text-sm font-medium text-slate-800">
            Grant type
          </label>
          <select id="grant" name="grant" defaultValue={query.grantType ?? ""} className={selectStyle}>
            <option value="">Any</option>
            {grantTypes.map((grant) => (
              <option key={grant} value={grant}>
                {grantTypeInfo[grant].label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="type" className="block text-sm font-medium text-slate-800">
            Client type
          </label>
          <select id="type" name="type" defaultValue={query.clientType ?? ""} className={selectStyle}>
            <option value="">Any</option>
            <option value="confidential">Confidential</option>
            <option value="public">Public</option>
          </select>
        </div>
        <div>
          <label htmlFor="trusted" className="block text-sm font-medium text-slate-800">
            Trusted
          </label>
          <select
            id="trusted"
            name="trusted"
            defaultValue={query.trusted === undefined ? "" : query.trusted ? "yes" : "no"}
            className={selectStyle}
          >
            <option value="">Any</option>
            <option value="yes">Trusted</option>
            <option value="no">Asks for consent</option>
          </select>
        </div>
        <div>
          <label htmlFor="sort" className="block text-sm font-medium text-slate-800">
            Sort by
          </label>
          <select id="sort" name="sort" defaultValue={query.sort ?? "-created"} className={selectStyle}>
            <option value="-created">Newest first</option>
            <option value="created">Oldest first</option>
            <option value="name">Name A–Z</option>
            <option value="-name">Name Z–A</option>
            <option value="-updated">Recently changed</option>
          </select>
        </div>
        <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-6">
          <button type="submit" className={buttonStyles.primary}>
            Apply
          </button>
          {filtered ? (
            <Link href="/admin/applications" className={buttonStyles.ghost}>
              Clear filters
            </Link>
          ) : null}
        </div>
      </form>

      {page.total === 0 ? (
        filtered ? (
          <EmptyState
            title="No applications match"
            action={
              <ButtonLink variant="secondary" href="/admin/applications">
                Clear filters
              </ButtonLink>
            }
          >
            Try another search or fewer filters.
          </EmptyState>
        ) : (
          <EmptyState
            title="No applications yet"
            action={<ButtonLink href="/admin/applications/new">Register your first application</ButtonLink>}
          >
            Register an application to give it a client ID and let it sign users in.
          </EmptyState>
        )
      ) : (
        <>
          <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">
                Applications, page {page.page} of {page.pageCount}
              </caption>
              <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-4 py-3">
                    Name
                  </th>
                  <th scope="col" className="hidden px-4 py-3 md:table-cell">
                    Type
                  </th>
                  <th scope="col" className="hidden px-4 py-3 lg:table-cell">
                    Grant types
                  </th>
                  <th scope="col" className="hidden px-4 py-3 sm:table-cell">
                    Created
                  </th>
                  <th scope="col" className="px-4 py-3 text-right">
                    Trusted
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {page.items.map((app) => (
                  <tr key={app.id} data-testid="application-row">
                    <td className="max-w-0 px-4 py-3">
                      <Link
                        href={`/admin/applications/${app.id}`}
                        className="block truncate font-medium text-indigo-700 hover:underline"
                      >
                        {app.name}
                      </Link>
                      <code className="block truncate font-mono text-xs text-slate-600">{app.clientId}</code>
                    </td>
                    <td className="hidden px-4 py-3 md:table-cell">
                      <Badge tone={app.clientType === "public" ? "amber" : "indigo"}>{app.clientType}</Badge>
                    </td>
                    <td className="hidden px-4 py-3 lg:table-cell">
                      <div className="flex flex-wrap gap-1">
                        {app.grantTypes.map((grant) => (
                          <Badge key={grant}>{grantTypeInfo[grant]?.label ?? grant}</Badge>
                        ))}
                      </div>
                    </td>
                    <td className="hidden whitespace-nowrap px-4 py-3 text-slate-700 sm:table-cell">
                      <time dateTime={app.createdAt.toISOString()}>{app.createdAt.toISOString().slice(0, 10)}</time>
                    </td>
                    <td className="px-4 py-3 text-right">
                      <TrustSwitch id={app.id} name={app.name} trusted={app.skipAuthorization} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={page} hrefFor={(target) => hrefWith(query, { page: target })} />
        </>
      )}
    </>
  );
}
