import type { Metadata } from "next";
import { AuditLog } from "@/components/audit-log";
import { PageHeader } from "@/components/ui/page-header";
import type { PageSearchParams } from "@/lib/web/search-params";
import { requireAdmin } from "@/lib/web/session";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  await requireAdmin();
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made by an admin, at the command line or by the system, and every sign-in: who, when, from where, and what changed. Entries are never edited or removed."
      />
      <AuditLog searchParams={await searchParams} basePath="/admin/audit" />
    </>
  );
}
