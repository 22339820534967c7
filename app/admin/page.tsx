import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { UsageByGrantTypeChart, UsageTotalChart } from "@/components/charts/usage-chart";
import { ButtonLink } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/lib/db/client";
import { dashboardSummary, usageWindowDays } from "@/lib/usage/queries";
import { requireAdmin } from "@/lib/web/session";

export const metadata: Metadata = { title: "Dashboard" };

const number = (value: number) => value.toLocaleString("en");

/** A count; with `href`, the whole card leads to the list it counts. */
function Stat({ label, value, testId, href }: { label: string; value: number; testId: string; href?: string }) {
  return (
    <div
      className={`relative rounded-lg border border-slate-200 bg-white p-4 shadow-sm ${href ? "hover:border-indigo-400" : ""}`}
    >
      <dt className="text-sm text-slate-700">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900" data-testid={testId}>
        {href ? (
          <Link
            href={href}
            aria-label={`${number(value)} ${label}`}
            className="text-indigo-800 after:absolute after:inset-0 hover:underline"
          >
            {number(value)}
          </Link>
        ) : (
          number(value)
        )}
      </dd>
    </div>
  );
}

function Panel({
  title,
  description,
  children,
  className = "",
}: {
  title: string;
  description?: string;
  children: ReactNode;
  className?: string;
}) {
  const id = `panel-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <section
      aria-labelledby={id}
      className={`min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6 ${className}`}
    >
      <h2 id={id} className="text-base font-semibold text-slate-900">
        {title}
      </h2>
      {description ? <p className="mt-0.5 text-sm text-slate-600">{description}</p> : null}
      <div className="mt-4">{children}</div>
    </section>
  );
}

export default async function DashboardPage() {
  await requireAdmin();
  const now = new Date();
  const { totals, issued, failed, top } = await dashboardSummary(db(), { now });
  const window = `Last ${usageWindowDays} days, by UTC day`;

  return (
    <>
      <PageHeader
        title="Dashboard"
        description="Activity of this authorization server."
        actions={<ButtonLink href="/admin/applications/new">New application</ButtonLink>}
      />

      <dl className="mb-6 grid grid-cols-2 gap-3 sm:gap-4 lg:grid-cols-5">
        <Stat label="Applications" value={totals.applications} testId="stat-applications" href="/admin/applications" />
        <Stat label="Users" value={totals.users} testId="stat-users" href="/admin/users" />
        <Stat label="Active access tokens" value={totals.activeAccessTokens} testId="stat-active-tokens" />
        <Stat label={`Tokens issued (${usageWindowDays} days)`} value={totals.issuedInWindow} testId="stat-issued" />
        <Stat
          label={`Failed token requests (${usageWindowDays} days)`}
          value={totals.failedInWindow}
          testId="stat-failed"
          href={`/admin/failures?days=${usageWindowDays}`}
        />
      </dl>

      <div className="grid gap-6 lg:grid-cols-2">
        <Panel
          title="Tokens issued per day"
          description={`${window}, all applications, by grant type.`}
          className="lg:col-span-2"
        >
          <UsageByGrantTypeChart
            usage={issued}
            title="Tokens issued per day"
            unit="tokens issued"
            emptyMessage="No tokens issued in the last 30 days yet. Counts appear here a few seconds after the first token request."
            testId="issued-chart"
          />
        </Panel>

        <Panel
          title="Failed token requests per day"
          description={`${window}, including requests from unknown clients.`}
        >
          <UsageTotalChart
            usage={failed}
            title="Failed token requests per day"
            label="Failed requests"
            unit="failed requests"
            emptyMessage="No failed token requests in the last 30 days."
            testId="failed-chart"
          />
          <p className="mt-3 text-sm">
            <Link
              href={`/admin/failures?days=${usageWindowDays}`}
              className="font-medium text-indigo-700 hover:underline"
              data-testid="failures-link"
            >
              Failures by error code and application →
            </Link>
          </p>
        </Panel>

        <Panel title="Top applications" description={`By tokens issued in the last ${usageWindowDays} days.`}>
          {top.length === 0 ? (
            <p className="rounded-md border border-dashed border-slate-300 px-4 py-10 text-center text-sm text-slate-600">
              No application has been issued a token in the last 30 days.
            </p>
          ) : (
            <table className="w-full text-left text-sm tabular-nums" data-testid="top-applications">
              <caption className="sr-only">Top applications by tokens issued, last {usageWindowDays} days</caption>
              <thead className="text-xs uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="py-2 pr-3">
                    Application
                  </th>
                  <th scope="col" className="px-3 py-2 text-right">
                    Issued
                  </th>
                  <th scope="col" className="py-2 pl-3 text-right">
                    Failed
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {top.map((app) => (
                  <tr key={app.id}>
                    <th scope="row" className="py-2 pr-3 font-normal [overflow-wrap:anywhere]">
                      {app.name === null ? (
                        <span className="text-slate-600">Deleted application</span>
                      ) : (
                        <Link
                          href={`/admin/applications/${app.id}/usage`}
                          className="font-medium break-words text-indigo-700 hover:underline"
                        >
                          {app.name}
                        </Link>
                      )}
                    </th>
                    <td className="px-3 py-2 text-right">{number(app.issued)}</td>
                    <td className="py-2 pl-3 text-right">
                      {app.failed > 0 ? (
                        <Link
                          href={`/admin/failures?days=${usageWindowDays}&app=${encodeURIComponent(app.id)}`}
                          aria-label={`${number(app.failed)} failed requests of ${app.name ?? "a deleted application"}`}
                          className="text-indigo-700 hover:underline"
                        >
                          {number(app.failed)}
                        </Link>
                      ) : (
                        number(app.failed)
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Panel>
      </div>

      {totals.applications === 0 ? (
        <p className="mt-6 text-sm text-slate-600">
          New here?{" "}
          <Link href="/admin/applications/new" className="font-medium text-indigo-700 hover:underline">
            Register an application
          </Link>
          , or fill this server with demo data:{" "}
          <code className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs">npm run cli -- seed-demo</code>
        </p>
      ) : null}
    </>
  );
}
