import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { ConnectedApps } from "@/components/connected-apps";
import { DateTime } from "@/components/date-time";
import { PageHeader } from "@/components/ui/page-header";
import { connectedApps } from "@/lib/access/queries";
import { settings } from "@/lib/config/settings";
import { scopeCatalogue } from "@/lib/scopes/catalogue";
import { db } from "@/lib/db/client";
import { listSessions } from "@/lib/sessions/queries";
import { enabledAdminCount, findUser } from "@/lib/users/queries";
import { requireAdmin } from "@/lib/web/session";
import { endUserSessionsAction, revokeUserAccessAction } from "../actions";
import { UserActions } from "../_components/user-actions";
import { RoleBadge, StatusBadge } from "../_components/user-badges";
import { UserSessions } from "../_components/user-sessions";

export const metadata: Metadata = { title: "User" };

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="py-3 sm:grid sm:grid-cols-3 sm:gap-4">
      <dt className="text-sm font-medium text-slate-700">{label}</dt>
      <dd className="mt-1 min-w-0 break-words text-sm text-slate-900 sm:col-span-2 sm:mt-0">{children}</dd>
    </div>
  );
}

export default async function UserPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const admin = await requireAdmin(`/admin/users/${encodeURIComponent(id)}`);
  const user = await findUser(db(), id);
  if (!user) notFound();
  const [apps, admins, sessions] = await Promise.all([
    connectedApps(db(), user.id),
    enabledAdminCount(db()),
    listSessions(db(), user.id, settings().sessions),
  ]);
  const lastAdmin = user.role === "ADMIN" && !user.disabled && admins <= 1;
  return (
    <>
      <p className="mb-3 text-sm">
        <Link href="/admin/users" className="font-medium text-indigo-700 hover:underline">
          ← All users
        </Link>
      </p>
      <PageHeader
        title={user.email}
        description={
          <span className="flex flex-wrap items-center gap-2">
            <RoleBadge role={user.role} />
            <StatusBadge disabled={user.disabled} />
            {user.id === admin.id ? <span>This is you</span> : null}
          </span>
        }
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <section
          aria-labelledby="account-title"
          className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
        >
          <h2 id="account-title" className="text-base font-semibold text-slate-900">
            Account
          </h2>
          <dl className="mt-2 divide-y divide-slate-200">
            <Row label="Email">{user.email}</Row>
            <Row label="Name">{user.name || <span className="text-slate-600">Not set</span>}</Row>
            <Row label="Role">{user.role === "ADMIN" ? "Administrator" : "User"}</Row>
            <Row label="Status">{user.disabled ? "Disabled: cannot sign in" : "Active"}</Row>
            <Row label="Created">
              <DateTime value={user.createdAt} withTime />
            </Row>
            <Row label="Last sign-in">
              {user.lastSignInAt ? <DateTime value={user.lastSignInAt} withTime /> : "Never"}
            </Row>
          </dl>
        </section>
        <section
          aria-labelledby="access-title"
          className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
        >
          <h2 id="access-title" className="text-base font-semibold text-slate-900">
            Role and status
          </h2>
          <p className="mb-4 mt-1 text-sm text-slate-600">
            Disabling signs the user out everywhere and revokes every token their apps hold. Every change is recorded in
            the audit log.
          </p>
          <UserActions
            userId={user.id}
            email={user.email}
            role={user.role}
            disabled={user.disabled}
            self={user.id === admin.id}
            lastAdmin={lastAdmin}
          />
        </section>
      </div>
      <section aria-labelledby="sessions-title" className="mt-8">
        <h2 id="sessions-title" className="text-lg font-semibold text-slate-900">
          Sessions
        </h2>
        <p className="mb-4 mt-1 text-sm text-slate-600">
          Browsers signed in to this account. Ending them signs the user out everywhere; it is recorded in the audit
          log.
        </p>
        <UserSessions email={user.email} sessions={sessions} endAll={endUserSessionsAction.bind(null, user.id)} />
      </section>
      <section aria-labelledby="connected-apps-title" className="mt-8">
        <h2 id="connected-apps-title" className="text-lg font-semibold text-slate-900">
          Connected apps
        </h2>
        <p className="mb-4 mt-1 text-sm text-slate-600">
          Applications this user has authorized, or that hold live tokens for them.
        </p>
        <ConnectedApps
          apps={apps}
          catalogue={await scopeCatalogue(db()).read()}
          revoke={revokeUserAccessAction.bind(null, user.id)}
          perspective="admin"
        />
      </section>
    </>
  );
}
