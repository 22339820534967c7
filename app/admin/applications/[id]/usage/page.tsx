import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { UsageByGrantTypeChart, UsageTotalChart } from "@/components/charts/usage-chart";
import { findApplication } from "@/lib/applications/queries";
import { db } from "@/lib/db/client";
import { dailyUsage, usageWindowDays } from "@/lib/usage/queries";
import { requireAdmin } from "@/lib/web/session";
import { ApplicationHeader } from "../../_components/application-header";

export const metadata: Metadata = { title: "Usage" };

const number = (value: number) => value.toLocaleString("en");

export default async function ApplicationUsagePage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdmin();
  const { id } = await params;
  const database = db();
  const app = await findApplication(database, id);
  if (!app) notFound();
  const now = new Date();
  const { issued, failed } = await dailyUsage(database, { applicationId: id }, { now });
  return (
    <>
      <ApplicationHeader app={app} tab="Usage" />
      <dl className="mb-6 grid grid-cols-2 gap-3 sm:max-w-md sm:gap-4">
        <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
          <dt className="text-sm text-slate-700">Tokens issued ({usageWindowDays} days)</dt>
          <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900" data-testid="app-issued">
            {number(issued.total)}
          </dd>
        </div>
        <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
          <dt className="text-sm text-slate-700">Failed requests ({usageWindowDays} days)</dt>
          <dd className="mt-1 text-2xl font-semibold tabular-nums text-slate-900" data-testid="app-failed">
            {number(failed.total)}
          </dd>
        </div>
      </dl>
      <div className="grid gap-6">
        <section
          aria-labelledby="issued-heading"
          className="min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
        >
          <h2 id="issued-heading" className="text-base font-semibold text-slate-900">
            Tokens issued per day
          </h2>
          <p className="mt-0.5 text-sm text-slate-600">Last {usageWindowDays} days, by UTC day and grant type.</p>
          <div className="mt-4">
            <UsageByGrantTypeChart
              usage={issued}
              title={`Tokens issued per day to ${app.name}`}
              unit="tokens issued"
              emptyMessage="No tokens issued to this application in the last 30 days. Counts appear a few seconds after its first token request."
              testId="app-issued-chart"
            />
          </div>
        </section>
        <section
          aria-labelledby="failed-heading"
          className="min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
        >
          <h2 id="failed-heading" className="text-base font-semibold text-slate-900">
            Failed token requests per day
          </h2>
          <p className="mt-0.5 text-sm text-slate-600">
            Requests that named this application and were refused (wrong secret, bad code, …).
          </p>
          <div className="mt-4">
            <UsageTotalChart
              usage={failed}
              title={`Failed token requests per day for ${app.name}`}
              label="Failed requests"
              unit="failed requests"
              emptyMessage="No failed token requests for this application in the last 30 days."
              testId="app-failed-chart"
            />
          </div>
        </section>
      </div>
    </>
  );
}
