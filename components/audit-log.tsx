/**
 * The audit log as a filterable, paginated list (server component): used by /admin/audit and by an
 * application's History tab, which fixes the application. Filters are a plain GET form, so they
 * work without JavaScript and every view has a URL.
 */
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { buttonStyles } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterDate, FilterForm, FilterSearch, FilterSelect } from "@/components/ui/filter-form";
import {
  auditActions,
  auditQueryFrom,
  auditSearch,
  foldDetails,
  listAuditEvents,
  type AuditEntry,
  type DetailLine,
} from "@/lib/audit/queries";
import { db } from "@/lib/db/client";
import type { PageSearchParams } from "@/lib/web/search-params";

function timestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function Detail({ line }: { line: DetailLine }) {
  if (line.kind === "note") return <li className="text-slate-700">{line.text}</li>;
  if (line.kind === "value") {
    return (
      <li>
        <span className="font-medium text-slate-800">{line.label}:</span>{" "}
        <span className="text-slate-700">{line.value}</span>
      </li>
    );
  }
  return (
    <li data-testid="audit-change">
      <span className="font-medium text-slate-800">{line.label}:</span>{" "}
      <span className="rounded bg-red-50 px-1 text-red-800">
        <span className="sr-only">from </span>
        {line.from}
      </span>{" "}
      <span aria-hidden="true" className="text-slate-600">
        →
      </span>{" "}
      <span className="rounded bg-emerald-50 px-1 text-emerald-800">
        <span className="sr-only">to </span>
        {line.to}
      </span>
    </li>
  );
}

const detailList = "mt-2 space-y-1 border-l-2 border-slate-200 pl-3 text-sm [overflow-wrap:anywhere]";

/** An entry's details; a long entry's are partly folded into a <details> that opens without JavaScript. */
function Details({ lines }: { lines: DetailLine[] }) {
  if (lines.length === 0) return null;
  const { shown, folded } = foldDetails(lines);
  return (
    <>
      {shown.length > 0 ? (
        <ul className={detailList} aria-label="Details">
          {shown.map((line, index) => (
            <Detail key={index} line={line} />
          ))}
        </ul>
      ) : null}
      {folded.length > 0 ? (
        <details data-testid="audit-more" className="group mt-1">
          <summary className="cursor-pointer text-sm font-medium text-indigo-700 hover:underline">
            <span className="group-open:hidden">
              Show {shown.length > 0 ? `${folded.length} more` : `all ${folded.length}`}{" "}
              {folded.length === 1 ? "detail" : "details"}
            </span>
            <span className="hidden group-open:inline">Hide details</span>
          </summary>
          <ul className={detailList} aria-label={shown.length > 0 ? "More details" : "Details"}>
            {folded.map((line, index) => (
              <Detail key={index} line={line} />
            ))}
          </ul>
        </details>
      ) : null}
    </>
  );
}

function Entry({ entry, showApplication }: { entry: AuditEntry; showApplication: boolean }) {
  return (
    <li data-testid="audit-entry" data-action={entry.action} className="px-4 py-3 sm:px-5">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <p className="font-semibold text-slate-900">
          {entry.actionLabel} <code className="ml-1 font-mono text-xs font-normal text-slate-600">{entry.action}</code>
        </p>
        <time dateTime={entry.createdAt.toISOString()} className="whitespace-nowrap text-xs text-slate-600">
          {timestamp(entry.createdAt)}
        </time>
      </div>
      <dl className="mt-1 flex flex-wrap gap-x-5 gap-y-0.5 text-sm text-slate-700">
        <div className="flex min-w-0 gap-1">
          <dt className="text-slate-600">By</dt>
          <dd className="min-w-0 [overflow-wrap:anywhere]" data-testid="audit-actor">
            {entry.actor.kind === "user" ? entry.actor.label : <Badge>{entry.actor.kind}</Badge>}
          </dd>
        </div>
        {entry.ip ? (
          <div className="flex gap-1">
            <dt className="text-slate-600">from</dt>
            <dd className="font-mono text-xs leading-5">{entry.ip}</dd>
          </div>
        ) : null}
        {showApplication && entry.application ? (
          <div className="flex min-w-0 gap-1">
            <dt className="text-slate-600">Application</dt>
            <dd className="min-w-0 [overflow-wrap:anywhere]" data-testid="audit-application">
              {entry.application.exists ? (
                <Link
                  href={`/admin/applications/${entry.application.id}`}
                  className="font-medium text-indigo-700 hover:underline"
                >
                  {entry.application.label}
                </Link>
              ) : (
                <>
                  {entry.application.label} <span className="text-slate-600">(deleted)</span>
                </>
              )}
            </dd>
          </div>
        ) : null}
        {entry.targetUser ? (
          <div className="flex min-w-0 gap-1">
            <dt className="text-slate-600">User</dt>
            <dd className="min-w-0 [overflow-wrap:anywhere]">
              {entry.targetUser.label}
              {entry.targetUser.exists ? null : <span className="text-slate-600"> (deleted)</span>}
            </dd>
          </div>
        ) : null}
      </dl>
      <Details lines={entry.details} />
    </li>
  );
}

export async function AuditLog({
  searchParams,
  basePath,
  applicationId,
}: {
  searchParams: PageSearchParams;
  /** Where the filter form and page links point. */
  basePath: string;
  /** Only this application's entries; hides the application filter and column. */
  applicationId?: string;
}) {
  const query = {
    ...auditQueryFrom(searchParams),
    ...(applicationId ? { applicationId, application: undefined } : {}),
  };
  const page = await listAuditEvents(db(), query);
  const filters = {
    actor: query.actor,
    user: query.user,
    application: query.application,
    action: query.action,
    from: query.from,
    to: query.to,
  };
  const filtered = Boolean(
    filters.actor || filters.user || filters.application || filters.action || filters.from || filters.to,
  );
  const actionOptions = Object.entries(auditActions);
  if (query.action && !auditActions[query.action]) actionOptions.push([query.action, query.action]);
  const cursorParam = Boolean(query.before || query.after);

  return (
    <div>
      <FilterForm
        label="Filter the audit log"
        columns={4}
        buttonsOnOwnRow={!applicationId}
        submitLabel="Filter"
        path={basePath}
        filtered={filtered}
      >
        <FilterSearch
          id="audit-actor"
          name="actor"
          label="Actor"
          placeholder="Email, cli, system or anonymous"
          defaultValue={filters.actor}
        />
        <FilterSearch id="audit-user" name="user" label="User" placeholder="Email or ID" defaultValue={filters.user} />
        {applicationId ? null : (
          <FilterSearch
            id="audit-app"
            name="app"
            label="Application"
            placeholder="Name, client ID or ID"
            defaultValue={filters.application}
          />
        )}
        <FilterSelect
          id="audit-action"
          name="action"
          label="Action"
          defaultValue={filters.action ?? ""}
          options={[["", "Any action"], ...actionOptions]}
        />
        <FilterDate
          id="audit-from"
          name="from"
          label="From (UTC)"
          defaultValue={filters.from}
          error={query.dateErrors?.from}
          help="From the start of this day, UTC."
        />
        <FilterDate
          id="audit-to"
          name="to"
          label="To (UTC)"
          defaultValue={filters.to}
          error={query.dateErrors?.to}
          help="To the end of this day, UTC."
        />
      </FilterForm>

      {applicationId ? null : (
        <p className="-mt-2 mb-4 flex flex-wrap items-center justify-end gap-3 text-sm text-slate-700">
          <span>Export the entries these filters select:</span>
          {(["csv", "json"] as const).map((format) => {
            const search = auditSearch(filters);
            return (
              <a
                key={format}
                download
                href={`/admin/audit/export${search ? `${search}&` : "?"}format=${format}`}
                className="font-medium text-indigo-700 underline"
              >
                {format.toUpperCase()}
              </a>
            );
          })}
        </p>
      )}

      {query.dateErrors ? (
        <p
          role="alert"
          data-testid="audit-date-error"
          className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800"
        >
          No entries are listed: the date range is not valid.{" "}
          {[query.dateErrors.from, query.dateErrors.to].filter(Boolean).join(" ")}
        </p>
      ) : page.items.length === 0 ? (
        filtered ? (
          <EmptyState
            title="No entries match"
            action={
              <Link className={buttonStyles.secondary} href={basePath}>
                Clear filters
              </Link>
            }
          >
            Try another actor, user, application, action or date range.
          </EmptyState>
        ) : (
          <EmptyState title="No entries yet">
            Changes made by admins and at the command line are recorded here.
          </EmptyState>
        )
      ) : (
        <>
          <ol
            aria-label="Audit entries, newest first"
            className="divide-y divide-slate-200 overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm"
          >
            {page.items.map((entry) => (
              <Entry key={entry.id} entry={entry} showApplication={!applicationId} />
            ))}
          </ol>
          {page.newer || page.older ? (
            <nav aria-label="Pagination" className="mt-4 flex flex-wrap items-center justify-end gap-2 text-sm">
              {cursorParam ? (
                <Link className={buttonStyles.ghost} href={`${basePath}${auditSearch(filters)}`}>
                  Newest
                </Link>
              ) : null}
              {page.newer ? (
                <Link
                  className={buttonStyles.secondary}
                  href={`${basePath}${auditSearch(filters, { after: page.newer })}`}
                  rel="prev"
                >
                  Newer
                </Link>
              ) : null}
              {page.older ? (
                <Link
                  className={buttonStyles.secondary}
                  href={`${basePath}${auditSearch(filters, { before: page.older })}`}
                  rel="next"
                >
                  Older
                </Link>
              ) : null}
            </nav>
          ) : null}
        </>
      )}
    </div>
  );
}
