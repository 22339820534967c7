import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/lib/db/client";
import { isProtocolScope } from "@/lib/scopes/catalogue";
import { listScopes } from "@/lib/scopes/queries";
import { requireAdmin } from "@/lib/web/session";

export const metadata: Metadata = { title: "Scopes" };

export default async function ScopesPage() {
  await requireAdmin("/admin/scopes");
  const scopes = await listScopes(db());
  return (
    <>
      <PageHeader
        title="Scopes"
        description="The permissions clients may ask for. Users see each one's description on the consent screen."
        actions={<ButtonLink href="/admin/scopes/new">New scope</ButtonLink>}
      />
      {scopes.length === 0 ? (
        <EmptyState title="No scopes" action={<ButtonLink href="/admin/scopes/new">Create a scope</ButtonLink>}>
          Clients can ask for no permission until there is one.
        </EmptyState>
      ) : (
        <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Scopes</caption>
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-4 py-3">
                  Scope
                </th>
                <th scope="col" className="hidden px-4 py-3 sm:table-cell">
                  Allowed by
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {scopes.map((scope) => (
                <tr key={scope.id} data-testid="scope-row">
                  <td className="px-4 py-3 [overflow-wrap:anywhere]">
                    <span className="flex flex-wrap items-center gap-2">
                      <Link
                        href={`/admin/scopes/${scope.id}`}
                        className="font-mono font-medium text-indigo-700 hover:underline"
                      >
                        {scope.name}
                      </Link>
                      {isProtocolScope(scope.name) ? <Badge>Protocol</Badge> : null}
                      {scope.isDefault ? <Badge tone="indigo">Default</Badge> : null}
                    </span>
                    <span className="mt-0.5 block text-slate-700">{scope.description}</span>
                    <span className="mt-0.5 block text-xs text-slate-600 sm:hidden">
                      {allowedBy(scope.applications.length)}
                    </span>
                  </td>
                  <td className="hidden px-4 py-3 text-slate-700 sm:table-cell">
                    {allowedBy(scope.applications.length)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="mt-4 text-sm text-slate-600">
        Default scopes are granted when a client asks for no scope. PORTCULLIS_SCOPES adds scopes here at start-up the
        first time it names them; edits made here are kept.
      </p>
    </>
  );
}

function allowedBy(count: number): string {
  return count === 0 ? "No application lists it" : `${count} application${count === 1 ? "" : "s"}`;
}
