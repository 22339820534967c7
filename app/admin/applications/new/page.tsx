import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { createApplicationAction } from "../actions";
import { ApplicationForm } from "../_components/application-form";
import { emptyFormValues, formContext } from "../defaults";

export const metadata: Metadata = { title: "New application" };

export default function NewApplicationPage() {
  return (
    <>
      <PageHeader title="New application" description="Register an OAuth client. Its secret is shown once, after saving." />
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
