import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterForm, FilterSearch, FilterSelect } from "@/components/ui/filter-form";
import { Pagination, pageCountLabel } from "@/components/ui/pagination";
import { PageHeader } from "@/components/ui/page-header";
import { customFieldEntries } from "@/lib/applications/custom-fields";
import { listApplications, listQueryFrom, optionValues, type ApplicationListQuery } from "@/lib/applications/queries";
import { FieldValue } from "./_components/field-value";
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
  for (const [key, value] of Object.entries(next.fields ?? {})) {
    params.set(key, typeof value === "boolean" ? (value ? "yes" : "no") : value);
  }
  if (next.sort) params.set("sort", next.sort);
  if (next.page && next.page > 1) params.set("page", String(next.page));
  const text = params.toString();
  return `/admin/applications${text ? `?${text}` : ""}`;
}

export default async function ApplicationsPage({ searchParams }: { searchParams: SearchParams }) {
  await requireAdmin();
  const query = listQueryFrom(await searchParams);
  const page = await listApplications(db(), query);
  const customFields = customFieldEntries();
  const filters = customFields.filter((entry) => entry.listFilter);
  const columns = customFields.filter((entry) => entry.listColumn);
  const filtered = Boolean(
    query.search ||
    query.grantType ||
    query.clientType ||
    query.trusted !== undefined ||
    Object.keys(query.fields ?? {}).length > 0,
  );
  return (
    <>
      <PageHeader
        title="Applications"
        description="OAuth clients registered with this server."
        actions={<ButtonLink href="/admin/applications/new">New application</ButtonLink>}
      />

      <FilterForm
        label="Filter applications"
        columns={6}
        buttonsOnOwnRow
        path="/admin/applications"
        filtered={filtered}
      >
        <FilterSearch id="q" name="q" label="Search" placeholder="Name or client ID" defaultValue={query.search} wide />
        <FilterSelect
          id="grant"
          name="grant"
          label="Grant type"
          defaultValue={query.grantType ?? ""}
          options={[["", "Any"], ...grantTypes.map((grant) => [grant, grantTypeInfo[grant].label] as const)]}
        />
        <FilterSelect
          id="type"
          name="type"
          label="Client type"
          defaultValue={query.clientType ?? ""}
          options={[
            ["", "Any"],
            ["confidential", "Confidential"],
            ["public", "Public"],
          ]}
        />
        <FilterSelect
          id="trusted"
          name="trusted"
          label="Trusted"
          defaultValue={query.trusted === undefined ? "" : query.trusted ? "yes" : "no"}
          options={[
            ["", "Any"],
            ["yes", "Trusted"],
            ["no", "Asks for consent"],
          ]}
        />
        {filters.map((entry) => {
          const current = query.fields?.[entry.key];
          return (
            <FilterSelect
              key={entry.key}
              id={entry.key}
              name={entry.key}
              label={entry.label}
              defaultValue={
                current === undefined ? "" : typeof current === "boolean" ? (current ? "yes" : "no") : current
              }
              options={
                entry.control.kind === "checkbox"
                  ? [
                      ["", "Any"],
                      ["yes", "Yes"],
                      ["no", "No"],
                    ]
                  : [
                      ["", "Any"],
                      ...optionValues(entry).map((value) => {
                        const options =
                          entry.control.kind === "choice" || entry.control.kind === "choices"
                            ? entry.control.options
                            : [];
                        const label = Array.isArray(options)
                          ? (options as readonly { value: string; label: string }[]).find(
                              (option) => option.value === value,
                            )?.label
                          : undefined;
                        return [value, label ?? value] as const;
                      }),
                    ]
              }
            />
          );
        })}
        <FilterSelect
          id="sort"
          name="sort"
          label="Sort by"
          defaultValue={query.sort ?? "-created"}
          options={[
            ["-created", "Newest first"],
            ["created", "Oldest first"],
            ["name", "Name A–Z"],
            ["-name", "Name Z–A"],
            ["-updated", "Recently changed"],
          ]}
        />
      </FilterForm>

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
                Applications, page {page.page} of {pageCountLabel(page)}
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
                  {columns.map((entry) => (
                    <th key={entry.key} scope="col" className="hidden px-4 py-3 md:table-cell">
                      {entry.label}
                    </th>
                  ))}
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
                    <td className="min-w-40 px-4 py-3 [overflow-wrap:anywhere]">
                      <Link
                        href={`/admin/applications/${app.id}`}
                        className="font-medium text-indigo-700 hover:underline"
                      >
                        {app.name}
                      </Link>
                      <code className="block font-mono text-xs text-slate-600">{app.clientId}</code>
                    </td>
                    <td className="hidden px-4 py-3 md:table-cell">
                      <Badge tone={app.clientType === "public" ? "amber" : "indigo"}>{app.clientType}</Badge>
                    </td>
                    <td className="hidden px-4 py-3 lg:table-cell">
                      <div className="flex max-w-64 flex-wrap gap-1">
                        {app.grantTypes.map((grant) => (
                          <Badge key={grant}>{grantTypeInfo[grant]?.label ?? grant}</Badge>
                        ))}
                      </div>
                    </td>
                    {columns.map((entry) => (
                      <td
                        key={entry.key}
                        className="hidden px-4 py-3 md:table-cell"
                        data-testid={`column-${entry.key}`}
                      >
                        <FieldValue
                          entry={entry}
                          value={app.fields[entry.storage.kind === "metadata" ? entry.storage.key : ""]}
                        />
                      </td>
                    ))}
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
