import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AuditLog } from "@/components/audit-log";
import { findApplication } from "@/lib/applications/queries";
import { db } from "@/lib/db/client";
import type { PageSearchParams } from "@/lib/web/search-params";
import { requireAdmin } from "@/lib/web/session";
import { ApplicationHeader } from "../../_components/application-header";

export const metadata: Metadata = { title: "History" };

export default async function ApplicationHistoryPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<PageSearchParams>;
}) {
  await requireAdmin();
  const { id } = await params;
  const app = await findApplication(db(), id);
  if (!app) notFound();
  return (
    <>
      <ApplicationHeader app={app} tab="History" />
      <h2 className="sr-only">History</h2>
      <AuditLog
        searchParams={await searchParams}
        basePath={`/admin/applications/${app.id}/history`}
        applicationId={app.id}
      />
    </>
  );
}
