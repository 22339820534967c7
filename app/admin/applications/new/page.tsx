import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { createApplicationAction } from "../actions";
import { ApplicationForm } from "../_components/application-form";
import { formContext } from "../defaults";
import { initialFormValues } from "@/lib/applications/form-values";
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
        initial={initialFormValues()}
        {...formContext()}
        submitLabel="Create application"
        cancelHref="/admin/applications"
      />
    </>
  );
}
