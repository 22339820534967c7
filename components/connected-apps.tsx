/**
 * The applications a user has let in, with what each may do in plain words and a way to take it
 * back. Shared by the user's own account page and an admin's view of a user; data comes in as props.
 */
import { DateTime } from "@/components/date-time";
import { ScopeList } from "@/components/scope-list";
import { EmptyState } from "@/components/ui/empty-state";
import { Pagination } from "@/components/ui/pagination";
import type { ConnectedApp } from "@/lib/access/queries";
import type { Page } from "@/lib/pagination";
import { describeScopes } from "@/lib/access/queries";
import type { ScopeCatalogue } from "@/lib/oauth/scope";
import { RevokeAccessButton, type RevokeAccess } from "./revoke-access-button";

export const connectedAppsPageSize = 20;

interface Props {
  /** One page of them: a user of hundreds of apps would otherwise get hundreds of cards at once. */
  apps: Page<ConnectedApp>;
  hrefFor: (page: number) => string;
  catalogue: ScopeCatalogue;
  revoke: RevokeAccess;
  perspective: "self" | "admin";
  now?: Date;
}

function AppMark({ app }: { app: ConnectedApp }) {
  if (app.logoUri) {
    return (
      // <img>, not next/image: an arbitrary external logo, no image optimisation wanted.
      <img
        src={app.logoUri}
        alt=""
        className="size-10 shrink-0 rounded-md border border-slate-200 object-contain"
        referrerPolicy="no-referrer"
      />
    );
  }
  return (
    <div
      aria-hidden="true"
      className="flex size-10 shrink-0 items-center justify-center rounded-md bg-indigo-100 text-lg font-bold text-indigo-800"
    >
      {app.name.slice(0, 1).toUpperCase()}
    </div>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</dt>
      <dd className="mt-0.5 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

export function ConnectedApps({ apps, hrefFor, catalogue, revoke, perspective, now = new Date() }: Props) {
  const self = perspective === "self";
  if (apps.total === 0) {
    return (
      <EmptyState title="No connected apps">
        {self
          ? "When you allow an app to use your account, it appears here, and you can take that access back at any time."
          : "This user has not allowed any application to use their account."}
      </EmptyState>
    );
  }
  return (
    <>
      <ul className="space-y-4" data-testid="connected-apps">
        {apps.items.map((app) => {
          const scopes = describeScopes(app.scopes, catalogue);
          const headingId = `connected-app-${app.applicationId}`;
          return (
            <li
              key={app.applicationId}
              data-testid="connected-app"
              aria-labelledby={headingId}
              className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-5"
            >
              <div className="flex flex-wrap items-start gap-3">
                <AppMark app={app} />
                <div className="min-w-0 flex-1">
                  <h3 id={headingId} className="break-words text-base font-semibold text-slate-900">
                    {app.name}
                  </h3>
                  {app.homepageUri ? (
                    <a
                      href={app.homepageUri}
                      className="text-sm [overflow-wrap:anywhere] text-indigo-700 underline"
                      rel="noopener noreferrer"
                      target="_blank"
                    >
                      {app.homepageUri.replace(/^https?:\/\//, "")}
                    </a>
                  ) : null}
                </div>
                <RevokeAccessButton
                  applicationId={app.applicationId}
                  name={app.name}
                  revoke={revoke}
                  perspective={perspective}
                />
              </div>
              {scopes.length > 0 ? (
                <>
                  <p className="mt-4 text-sm font-medium text-slate-900">{self ? "It can:" : "It may:"}</p>
                  <ScopeList scopes={scopes} className="mt-1 space-y-1" testId="connected-app-scopes" />
                </>
              ) : (
                <p className="mt-4 text-sm text-slate-800">
                  Basic access to {self ? "your" : "the"} account, with no extra permissions.
                </p>
              )}
              <dl className="mt-4 grid grid-cols-1 gap-3 border-t border-slate-200 pt-3 sm:grid-cols-3">
                <Fact label="First authorized">
                  <DateTime value={app.firstAuthorizedAt} />
                </Fact>
                <Fact label="Last used">
                  {app.lastUsedAt ? <DateTime value={app.lastUsedAt} withTime /> : "Not yet"}
                </Fact>
                <Fact label="Approval expires">
                  {app.consent ? (
                    app.consent.expiresAt > now ? (
                      <DateTime value={app.consent.expiresAt} />
                    ) : (
                      <>
                        Expired <DateTime value={app.consent.expiresAt} />
                      </>
                    )
                  ) : app.trusted ? (
                    "No approval stored (trusted app)"
                  ) : (
                    "No approval stored"
                  )}
                </Fact>
              </dl>
            </li>
          );
        })}
      </ul>
      {/* Most users have a handful of apps: a pager under them would only say "page 1 of 1". */}
      {apps.pageCount > 1 ? <Pagination page={apps} hrefFor={hrefFor} label="Connected apps pages" /> : null}
    </>
  );
}
