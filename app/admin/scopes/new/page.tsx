import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/web/session";
import { createScopeAction } from "../actions";
import { ScopeForm } from "../_components/scope-form";

export const metadata: Metadata = { title: "New scope" };

export default async function NewScopePage() {
  await requireAdmin("/admin/scopes/new");
  return (
    <>
      <PageHeader title="New scope" description="A permission clients can ask for, in words users understand." />
      <div className="max-w-xl rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
        <ScopeForm
          action={createScopeAction}
          initial={{ name: "", description: "", isDefault: false }}
          submitLabel="Create scope"
        />
      </div>
    </>
  );
}
