import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/lib/db/client";
import { isRecordId } from "@/lib/db/record-id";
import { isProtocolScope } from "@/lib/scopes/catalogue";
import { scopeValuesOf } from "@/lib/scopes/commands";
import { applicationsAllowing, findScope, usersGranting } from "@/lib/scopes/queries";
import { requireAdmin } from "@/lib/web/session";
import { updateScopeAction } from "../actions";
import { DeleteScopeButton } from "../_components/delete-scope";
import { ScopeForm } from "../_components/scope-form";

export const metadata: Metadata = { title: "Edit scope" };

export default async function EditScopePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireAdmin(`/admin/scopes/${encodeURIComponent(id)}`);
  const scope = isRecordId(id) ? await findScope(db(), id) : null;
  if (!scope) notFound();
  const [applications, grantedBy] = await Promise.all([
    applicationsAllowing(db(), scope.name),
    usersGranting(db(), scope.name),
  ]);
  const protocol = isProtocolScope(scope.name);
  const initial = scopeValuesOf(scope);
  return (
    <>
      <PageHeader title={`Edit ${scope.name}`} />
      <div className="max-w-xl space-y-6">
        <div className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
          <ScopeForm
            action={updateScopeAction.bind(null, scope.id)}
            initial={initial}
            edited={{ version: scope.updatedAt.toISOString(), seen: initial }}
            protocol={protocol}
            reloadHref={`/admin/scopes/${scope.id}`}
            submitLabel="Save changes"
          />
        </div>
        <section
          aria-labelledby="scope-use-title"
          className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
        >
          <h2 id="scope-use-title" className="text-base font-semibold text-slate-900">
            Where it is used
          </h2>
          {applications.length === 0 ? (
            <p className="mt-2 text-sm text-slate-700">
              No application lists it among its allowed scopes (applications with no list may request any scope).
            </p>
          ) : (
            <>
              <p className="mt-2 text-sm text-slate-700">Allowed by:</p>
              <ul className="mt-1 list-disc space-y-1 pl-5 text-sm" data-testid="scope-applications">
                {applications.map((app) => (
                  <li key={app.id} className="[overflow-wrap:anywhere]">
                    <Link href={`/admin/applications/${app.id}`} className="text-indigo-700 underline">
                      {app.name}
                    </Link>
                  </li>
                ))}
              </ul>
            </>
          )}
          <p className="mt-2 text-sm text-slate-700">
            {grantedBy === 0 ? "No user has granted it." : `Granted by ${grantedBy} user${grantedBy === 1 ? "" : "s"}.`}
          </p>
          <div className="mt-4">
            {protocol ? (
              <p className="text-sm text-slate-600">Protocol scopes cannot be deleted.</p>
            ) : applications.length > 0 ? (
              <p className="text-sm text-slate-600" data-testid="delete-refused-note">
                To delete it, first remove it from the allowed scopes of the applications above.
              </p>
            ) : (
              <DeleteScopeButton id={scope.id} name={scope.name} grantedBy={grantedBy} />
            )}
          </div>
        </section>
      </div>
    </>
  );
}
