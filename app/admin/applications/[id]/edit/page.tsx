import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { findApplication } from "@/lib/applications/queries";
import { db } from "@/lib/db/client";
import { updateApplicationAction } from "../../actions";
import { ApplicationForm } from "../../_components/application-form";
import { formContext } from "../../defaults";
import { formValuesOf } from "@/lib/applications/form-values";
import { requireAdmin } from "@/lib/web/session";

export const metadata: Metadata = { title: "Edit application" };

export default async function EditApplicationPage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdmin();
  const { id } = await params;
  const application = await findApplication(db(), id);
  if (!application) notFound();
  const initial = formValuesOf(application);
  return (
    <>
      <PageHeader title={`Edit ${application.name}`} />
      <ApplicationForm
        action={updateApplicationAction.bind(null, application.id)}
        initial={initial}
        edited={{ version: application.updatedAt.toISOString(), seen: initial }}
        reloadHref={`/admin/applications/${application.id}/edit`}
        {...await formContext()}
        submitLabel="Save changes"
        cancelHref={`/admin/applications/${application.id}`}
      />
    </>
  );
}
