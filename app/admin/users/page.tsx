import type { Metadata } from "next";
import Link from "next/link";
import { DateTime } from "@/components/date-time";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterForm, FilterSearch, FilterSelect } from "@/components/ui/filter-form";
import { Pagination, pageCountLabel } from "@/components/ui/pagination";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/lib/db/client";
import { listUsers, userListQueryFrom, type UserListQuery, type UserSortKey } from "@/lib/users/queries";
import { requireAdmin } from "@/lib/web/session";
import { BulkDisable, bulkDisableFormId } from "./_components/bulk-disable";
import { RoleBadge, StatusBadge } from "./_components/user-badges";

export const metadata: Metadata = { title: "Users" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function hrefWith(query: UserListQuery, changes: Partial<UserListQuery>): string {
  const next = { ...query, ...changes };
  const params = new URLSearchParams();
  if (next.search) params.set("q", next.search);
  if (next.role) params.set("role", next.role === "ADMIN" ? "admin" : "user");
  if (next.status) params.set("status", next.status);
  if (next.sort) params.set("sort", next.sort);
  if (next.direction) params.set("dir", next.direction);
  if (next.page && next.page > 1) params.set("page", String(next.page));
  const text = params.toString();
  return `/admin/users${text ? `?${text}` : ""}`;
}

/** How the list is sorted by `column` now, if it is. */
function sortOf(query: UserListQuery, column: UserSortKey): "asc" | "desc" | undefined {
  return (query.sort ?? "email") === column ? (query.direction ?? "asc") : undefined;
}

const ariaSort = (direction: "asc" | "desc" | undefined) =>
  direction === "asc" ? "ascending" : direction === "desc" ? "descending" : undefined;

/** A link that sorts by a column (ascending first, then the other way), from the first page, keeping the filters. */
function SortLink({ query, column, label }: { query: UserListQuery; column: UserSortKey; label: string }) {
  const direction = sortOf(query, column);
  const next = direction === "asc" ? "desc" : "asc";
  return (
    <Link
      href={hrefWith(query, { sort: column, direction: next, page: undefined })}
      className="inline-flex items-center gap-1 hover:text-slate-900 hover:underline"
      data-testid={`sort-${column}`}
    >
      {label}
      <span aria-hidden="true">{direction === "asc" ? "▲" : direction === "desc" ? "▼" : ""}</span>
      <span className="sr-only">
        {direction ? `, sorted ${ariaSort(direction)}; ` : "; "}sort {ariaSort(next)}
      </span>
    </Link>
  );
}

export default async function UsersPage({ searchParams }: { searchParams: SearchParams }) {
  await requireAdmin("/admin/users");
  const query = userListQueryFrom(await searchParams);
  const page = await listUsers(db(), query);
  const filtered = Boolean(query.search || query.role || query.status);
  return (
    <>
      <PageHeader
        title="Users"
        description="People who can sign in to this server and to the applications that use it."
        actions={<ButtonLink href="/admin/users/new">New user</ButtonLink>}
      />

      <FilterForm label="Filter users" columns={6} buttonsOnOwnRow path="/admin/users" filtered={filtered}>
        <FilterSearch id="q" name="q" label="Search" placeholder="Email or name" defaultValue={query.search} wide />
        <FilterSelect
          id="role"
          name="role"
          label="Role"
          defaultValue={query.role === "ADMIN" ? "admin" : query.role === "USER" ? "user" : ""}
          options={[
            ["", "Any"],
            ["admin", "Admins"],
            ["user", "Users"],
          ]}
        />
        <FilterSelect
          id="status"
          name="status"
          label="Status"
          defaultValue={query.status ?? ""}
          options={[
            ["", "Any"],
            ["active", "Active"],
            ["disabled", "Disabled"],
          ]}
        />
        <FilterSelect
          id="sort"
          name="sort"
          label="Sort by"
          defaultValue={query.sort ?? "email"}
          options={[
            ["email", "Email"],
            ["name", "Name"],
            ["created", "Created"],
            ["lastSignIn", "Last sign-in"],
          ]}
        />
        <FilterSelect
          id="dir"
          name="dir"
          label="Order"
          defaultValue={query.direction ?? "asc"}
          options={[
            ["asc", "Ascending"],
            ["desc", "Descending"],
          ]}
        />
      </FilterForm>

      {page.total === 0 ? (
        filtered ? (
          <EmptyState
            title="No users match"
            action={
              <ButtonLink variant="secondary" href="/admin/users">
                Clear filters
              </ButtonLink>
            }
          >
            Try another search or fewer filters.
          </EmptyState>
        ) : (
          <EmptyState title="No users yet" action={<ButtonLink href="/admin/users/new">Create a user</ButtonLink>}>
            Create accounts for the people who sign in through this server.
          </EmptyState>
        )
      ) : (
        <>
          <BulkDisable />
          <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">
                Users, page {page.page} of {pageCountLabel(page)}
              </caption>
              <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="w-px py-3 pl-4 pr-0">
                    <span className="sr-only">Select</span>
                  </th>
                  <th
                    scope="col"
                    className="px-4 py-3"
                    aria-sort={ariaSort(sortOf(query, "email") ?? sortOf(query, "name"))}
                  >
                    <span className="flex flex-wrap gap-x-3">
                      <SortLink query={query} column="email" label="Email" />
                      <SortLink query={query} column="name" label="Name" />
                    </span>
                  </th>
                  <th scope="col" className="px-2 py-3 sm:px-4">
                    Role
                  </th>
                  <th scope="col" className="px-2 py-3 sm:px-4">
                    Status
                  </th>
                  <th
                    scope="col"
                    className="hidden px-4 py-3 md:table-cell"
                    aria-sort={ariaSort(sortOf(query, "lastSignIn"))}
                  >
                    <SortLink query={query} column="lastSignIn" label="Last sign-in" />
                  </th>
                  <th
                    scope="col"
                    className="hidden px-4 py-3 lg:table-cell"
                    aria-sort={ariaSort(sortOf(query, "created"))}
                  >
                    <SortLink query={query} column="created" label="Created" />
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {page.items.map((user) => (
                  <tr key={user.id} data-testid="user-row">
                    <td className="w-px py-3 pl-4 pr-0 align-top">
                      <input
                        type="checkbox"
                        name="user"
                        value={user.id}
                        form={bulkDisableFormId}
                        aria-label={`Select ${user.email}`}
                        className="mt-0.5 size-4 rounded border-slate-400 accent-indigo-700"
                      />
                    </td>
                    <td className="px-4 py-3 [overflow-wrap:anywhere]">
                      <Link href={`/admin/users/${user.id}`} className="font-medium text-indigo-700 hover:underline">
                        {user.email}
                      </Link>
                      {user.name ? <span className="block text-xs text-slate-600">{user.name}</span> : null}
                    </td>
                    <td className="w-px px-2 py-3 sm:px-4">
                      <RoleBadge role={user.role} />
                    </td>
                    <td className="w-px px-2 py-3 sm:px-4">
                      <StatusBadge disabled={user.disabled} />
                    </td>
                    <td className="hidden whitespace-nowrap px-4 py-3 text-slate-700 md:table-cell">
                      {user.lastSignInAt ? <DateTime value={user.lastSignInAt} withTime /> : "Never"}
                    </td>
                    <td className="hidden whitespace-nowrap px-4 py-3 text-slate-700 lg:table-cell">
                      <DateTime value={user.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination page={page} hrefFor={(target) => hrefWith(query, { page: target })} />
        </>
      )}
    </>
  );
}
