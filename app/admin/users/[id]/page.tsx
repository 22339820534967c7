import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { ConnectedApps, connectedAppsPageSize } from "@/components/connected-apps";
import { DateTime } from "@/components/date-time";
import { PageHeader } from "@/components/ui/page-header";
import { connectedApps } from "@/lib/access/queries";
import { pageOf, requestedPage } from "@/lib/pagination";
import type { PageSearchParams } from "@/lib/web/search-params";
import { settings } from "@/lib/config/settings";
import { scopeCatalogue } from "@/lib/scopes/catalogue";
import { db } from "@/lib/db/client";
import { listSessions } from "@/lib/sessions/queries";
import { enabledAdminCount, findUser } from "@/lib/users/queries";
import { requireAdmin } from "@/lib/web/session";
import { ConfirmForm } from "@/components/ui/confirm-form";
import { passwordRules } from "@/lib/auth/password";
import { formatDuration } from "@/lib/applications/durations";
import {
  deleteUserAction,
  endUserSessionsAction,
  issueResetLinkAction,
  revokeUserAccessAction,
  setUserPasswordAction,
  updateUserProfileAction,
} from "../actions";
import { UserActions } from "../_components/user-actions";
import { RoleBadge, StatusBadge } from "../_components/user-badges";
import { UserPassword } from "../_components/user-password";
import { UserProfileForm } from "../_components/user-profile-form";
import { UserSessions } from "../_components/user-sessions";

export const metadata: Metadata = { title: "User" };

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="py-3 sm:grid sm:grid-cols-3 sm:gap-4">
      <dt className="text-sm font-medium text-slate-700">{label}</dt>
      <dd className="mt-1 min-w-0 text-sm text-slate-900 [overflow-wrap:anywhere] sm:col-span-2 sm:mt-0">{children}</dd>
    </div>
  );
}

export default async function UserPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<PageSearchParams>;
}) {
  const { id } = await params;
  const admin = await requireAdmin(`/admin/users/${encodeURIComponent(id)}`);
  const user = await findUser(db(), id);
  if (!user) notFound();
  const [connected, admins, sessions] = await Promise.all([
    connectedApps(db(), user.id),
    enabledAdminCount(db()),
    listSessions(db(), user.id, settings().sessions),
  ]);
  const apps = pageOf(connected, requestedPage((await searchParams).page), connectedAppsPageSize);
  const lastAdmin = user.role === "ADMIN" && !user.disabled && admins <= 1;
  const self = user.id === admin.id;
  // Emails are long words: they wrap anywhere rather than widen the page on a phone.
  const panel = "min-w-0 rounded-lg border border-slate-200 bg-white p-4 shadow-sm [overflow-wrap:anywhere] sm:p-6";
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
        <section aria-labelledby="account-title" className={panel}>
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
        <section aria-labelledby="access-title" className={panel}>
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
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <section aria-labelledby="profile-title" className={panel}>
          <h2 id="profile-title" className="text-base font-semibold text-slate-900">
            Edit profile
          </h2>
          <p className="mb-4 mt-1 text-sm text-slate-600">Changes are recorded in the audit log.</p>
          <UserProfileForm
            action={updateUserProfileAction.bind(null, user.id)}
            initial={{ email: user.email, name: user.name }}
            version={user.updatedAt.toISOString()}
            reloadHref={`/admin/users/${user.id}`}
          />
        </section>
        <section aria-labelledby="password-title" className={panel}>
          <h2 id="password-title" className="text-base font-semibold text-slate-900">
            Password
          </h2>
          {self ? (
            <p className="mt-1 text-sm text-slate-600">
              Change your own password on{" "}
              <Link href="/account" className="font-medium text-indigo-700 underline">
                your account page
              </Link>
              , where your current one is asked.
            </p>
          ) : (
            <div className="mt-4">
              <UserPassword
                email={user.email}
                minLength={passwordRules.minLength}
                linkLifetime={formatDuration(settings().passwordResetLifetime)}
                setPassword={setUserPasswordAction.bind(null, user.id)}
                issueLink={issueResetLinkAction.bind(null, user.id)}
              />
            </div>
          )}
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
          hrefFor={(page) =>
            `/admin/users/${encodeURIComponent(user.id)}${page > 1 ? `?page=${page}` : ""}#connected-apps-title`
          }
          catalogue={await scopeCatalogue(db()).read()}
          revoke={revokeUserAccessAction.bind(null, user.id)}
          perspective="admin"
        />
      </section>
      <section
        aria-labelledby="delete-title"
        className="mt-8 rounded-lg border border-red-200 bg-white p-4 shadow-sm [overflow-wrap:anywhere] sm:p-6"
      >
        <h2 id="delete-title" className="text-base font-semibold text-slate-900">
          Delete user
        </h2>
        {self ? (
          <p className="mt-1 text-sm text-slate-600">You cannot delete your own account.</p>
        ) : lastAdmin ? (
          <p className="mt-1 text-sm text-slate-600">
            This is the only enabled administrator: make another user an administrator before deleting it.
          </p>
        ) : (
          <>
            <p className="mb-4 mt-1 text-sm text-slate-600">
              Deletes the account with its sessions, consents, tokens and codes: every app loses its access at once.
              Applications it registered stay. The audit log keeps its entries.
            </p>
            <ConfirmForm
              trigger="Delete user"
              title={`Delete ${user.email}?`}
              confirmLabel="Delete user"
              action={deleteUserAction.bind(null, user.id)}
            >
              <p>
                {user.email} can no longer sign in, and every app they connected loses its access. This cannot be
                undone.
              </p>
            </ConfirmForm>
          </>
        )}
      </section>
    </>
  );
}
