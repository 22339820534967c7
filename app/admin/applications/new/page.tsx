import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { createApplicationAction } from "../actions";
import { ApplicationForm } from "../_components/application-form";
import { emptyFormValues, formContext } from "../defaults";
import { requireAdmin } from "@/lib/web/session";

export const metadata: Metadata = { title: "New application" };

export default async function NewApplicationPage() {
  await requireAdmin();
  return (
    <>
      <PageHeader
        title="New application"
        description="Register an OAuth client. Its secret is shown once, after saving."
      />
      <ApplicationForm
        action={createApplicationAction}
        initial={emptyFormValues}
        {...formContext()}
        submitLabel="Create application"
        cancelHref="/admin/applications"
      />
    </>
  );
}
