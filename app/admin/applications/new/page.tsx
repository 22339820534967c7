import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { createApplicationAction } from "../actions";
import { ApplicationForm } from "../_components/application-form";
import { formContext } from "../defaults";
import { initialFormValues } from "@/lib/applications/form-values";
import { applicationPresets, isApplicationPreset } from "@/lib/applications/presets";
import { requireAdmin } from "@/lib/web/session";

export const metadata: Metadata = { title: "New application" };

export default async function NewApplicationPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireAdmin();
  const { preset } = await searchParams;
  const chosen = isApplicationPreset(preset) ? preset : null;
  return (
    <>
      <PageHeader
        title="New application"
        description="Register an OAuth client. Its secret is shown once, after saving."
      />
      {/* Links, so that a preset works without JavaScript: the form below starts from it. */}
      <nav aria-labelledby="presets-title" className="mb-6">
        <h2 id="presets-title" className="text-sm font-medium text-slate-800">
          Start from a preset
        </h2>
        <ul className="mt-2 grid gap-2 sm:grid-cols-2 lg:grid-cols-5">
          {Object.entries(applicationPresets).map(([key, option]) => (
            <li key={key}>
              <Link
                href={`/admin/applications/new?preset=${key}`}
                aria-current={chosen === key ? "true" : undefined}
                className={`block h-full rounded-lg border p-3 text-sm shadow-sm hover:border-indigo-400 ${
                  chosen === key ? "border-indigo-700 bg-indigo-50 ring-1 ring-indigo-700" : "border-slate-200 bg-white"
                }`}
              >
                <span className="block font-medium text-slate-900">{option.label}</span>
                <span className="mt-1 block text-slate-600">{option.description}</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <ApplicationForm
        action={createApplicationAction}
        initial={initialFormValues(undefined, chosen ? applicationPresets[chosen].values : undefined)}
        {...await formContext()}
        submitLabel="Create application"
        cancelHref="/admin/applications"
      />
    </>
  );
}
