import type { Metadata } from "next";
import Link from "next/link";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterForm, FilterSelect } from "@/components/ui/filter-form";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/lib/db/client";
import {
  failureBreakdown,
  failureCodeHelp,
  failurePeriods,
  failureQueryFrom,
  type FailureQuery,
} from "@/lib/usage/failures";
import type { PageSearchParams } from "@/lib/web/search-params";
import { requireAdmin } from "@/lib/web/session";

export const metadata: Metadata = { title: "Failed token requests" };

const number = (value: number) => value.toLocaleString("en");
const periodLabel = (days: number) => (days === 1 ? "Today" : `Last ${days} days`);
/** The most applications listed; the rest are summed in a last line. */
const maxApplications = 100;

function hrefFor(query: FailureQuery, applicationId?: string): string {
  const params = new URLSearchParams({ days: String(query.days) });
  if (applicationId !== undefined) params.set("app", applicationId);
  return `/admin/failures?${params}`;
}

function ErrorCode({ code }: { code: string }) {
  return code === "" ? (
    <span className="text-slate-600">not recorded</span>
  ) : (
    <code className="font-mono text-[0.8125rem]">{code}</code>
  );
}

export default async function FailuresPage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  await requireAdmin("/admin/failures");
  const query = failureQueryFrom(await searchParams);
  const breakdown = await failureBreakdown(db(), query);
  const app = query.applicationId;
  const appName =
    app === undefined
      ? null
      : app === ""
        ? "requests that named no known client"
        : (breakdown.filteredName ?? "a deleted application");
  const shownApps = breakdown.byApplication.slice(0, maxApplications);
  const restApps = breakdown.byApplication.slice(maxApplications);
  return (
    <>
      <p className="mb-3 text-sm">
        <Link href="/admin" className="font-medium text-indigo-700 hover:underline">
          ← Dashboard
        </Link>
      </p>
      <PageHeader
        title="Failed token requests"
        description={`Token endpoint requests that got an error, by error code and by application. ${periodLabel(query.days)}: ${breakdown.from === breakdown.to ? breakdown.from : `${breakdown.from} to ${breakdown.to}`}, by UTC day.`}
      />
      <FilterForm label="Choose the period" columns={3} submitLabel="Show" path="/admin/failures" filtered={false}>
        <FilterSelect
          id="failures-days"
          name="days"
          label="Period"
          defaultValue={String(query.days)}
          options={failurePeriods.map((days) => [String(days), periodLabel(days)] as const)}
        />
        {app !== undefined ? <input type="hidden" name="app" value={app} /> : null}
      </FilterForm>
      {appName ? (
        <p
          className="mb-4 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-slate-700"
          data-testid="failures-app-filter"
        >
          <span>
            Only <strong className="[overflow-wrap:anywhere]">{appName}</strong>.
          </span>
          <Link href={hrefFor(query)} className="font-medium text-indigo-700 underline">
            Show every application
          </Link>
        </p>
      ) : null}

      {breakdown.total === 0 ? (
        <EmptyState
          title="No failed token requests"
          action={
            query.days < 90 ? (
              <ButtonLink variant="secondary" href={hrefFor({ ...query, days: 90 }, app)}>
                Look at the last 90 days
              </ButtonLink>
            ) : undefined
          }
        >
          Nothing failed at the token endpoint in this period{appName ? ` for ${appName}` : ""}. Counts appear a few
          seconds after a request.
        </EmptyState>
      ) : (
        <div className="grid gap-6 lg:grid-cols-2">
          <section
            aria-labelledby="by-error-title"
            className="min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
          >
            <h2 id="by-error-title" className="text-base font-semibold text-slate-900">
              By error code
            </h2>
            <p className="mt-0.5 text-sm text-slate-600">{number(breakdown.total)} failed requests in all.</p>
            <table className="mt-4 w-full text-left text-sm" data-testid="failures-by-error">
              <caption className="sr-only">Failed token requests by error code</caption>
              <thead className="text-xs uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="py-2 pr-3">
                    Error
                  </th>
                  <th scope="col" className="py-2 pl-3 text-right">
                    Requests
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {breakdown.byError.map((row) => (
                  <tr key={row.error}>
                    <th scope="row" className="py-2 pr-3 align-top font-normal">
                      <ErrorCode code={row.error} />
                      <span className="block text-xs text-slate-600">{failureCodeHelp[row.error] ?? ""}</span>
                    </th>
                    <td className="py-2 pl-3 text-right align-top tabular-nums">{number(row.count)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section
            aria-labelledby="by-app-title"
            className="min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
          >
            <h2 id="by-app-title" className="text-base font-semibold text-slate-900">
              By application
            </h2>
            <p className="mt-0.5 text-sm text-slate-600">Most failures first, with their error codes.</p>
            <table className="mt-4 w-full text-left text-sm" data-testid="failures-by-app">
              <caption className="sr-only">Failed token requests by application</caption>
              <thead className="text-xs uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="py-2 pr-3">
                    Application
                  </th>
                  <th scope="col" className="py-2 pl-3 text-right">
                    Requests
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {shownApps.map((row) => (
                  <tr key={row.id} data-testid="failures-app-row">
                    <th scope="row" className="py-2 pr-3 align-top font-normal [overflow-wrap:anywhere]">
                      {row.id === "" ? (
                        <span className="text-slate-700">No known client (unknown or missing client_id)</span>
                      ) : row.name === null ? (
                        <span className="text-slate-700">Deleted application</span>
                      ) : (
                        <Link
                          href={`/admin/applications/${row.id}/usage`}
                          className="font-medium text-indigo-700 hover:underline"
                        >
                          {row.name}
                        </Link>
                      )}
                      <span className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-slate-600">
                        {row.errors.map((error) => (
                          <span key={error.error}>
                            <ErrorCode code={error.error} /> {number(error.count)}
                          </span>
                        ))}
                      </span>
                      {app === undefined ? (
                        <Link
                          href={hrefFor(query, row.id)}
                          className="mt-0.5 inline-block text-xs font-medium text-indigo-700 underline"
                        >
                          Only this{row.id === "" ? "" : " application"}
                          <span className="sr-only">: {row.name ?? (row.id === "" ? "no known client" : row.id)}</span>
                        </Link>
                      ) : null}
                    </th>
                    <td className="py-2 pl-3 text-right align-top tabular-nums">{number(row.count)}</td>
                  </tr>
                ))}
                {restApps.length > 0 ? (
                  <tr>
                    <th scope="row" className="py-2 pr-3 font-normal text-slate-700">
                      {number(restApps.length)} more applications
                    </th>
                    <td className="py-2 pl-3 text-right tabular-nums">
                      {number(restApps.reduce((sum, row) => sum + row.count, 0))}
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </section>
        </div>
      )}
    </>
  );
}
