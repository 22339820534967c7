import type { Metadata } from "next";
import Link from "next/link";
import { DateTime } from "@/components/date-time";
import { ButtonLink } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { FilterForm, FilterSearch, FilterSelect } from "@/components/ui/filter-form";
import { Pagination } from "@/components/ui/pagination";
import { PageHeader } from "@/components/ui/page-header";
import { db } from "@/lib/db/client";
import { listUsers, userListQueryFrom, type UserListQuery } from "@/lib/users/queries";
import { requireAdmin } from "@/lib/web/session";
import { RoleBadge, StatusBadge } from "./_components/user-badges";

export const metadata: Metadata = { title: "Users" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function hrefWith(query: UserListQuery, changes: Partial<UserListQuery>): string {
  const next = { ...query, ...changes };
  const params = new URLSearchParams();
  if (next.search) params.set("q", next.search);
  if (next.role) params.set("role", next.role === "ADMIN" ? "admin" : "user");
  if (next.status) params.set("status", next.status);
  if (next.page && next.page > 1) params.set("page", String(next.page));
  const text = params.toString();
  return `/admin/users${text ? `?${text}` : ""}`;
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

      <FilterForm label="Filter users" columns={4} buttonsOnOwnRow path="/admin/users" filtered={filtered}>
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
          <div className="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">
                Users, page {page.page} of {page.pageCount}
              </caption>
              <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-4 py-3">
                    User
                  </th>
                  <th scope="col" className="px-2 py-3 sm:px-4">
                    Role
                  </th>
                  <th scope="col" className="px-2 py-3 sm:px-4">
                    Status
                  </th>
                  <th scope="col" className="hidden px-4 py-3 md:table-cell">
                    Last sign-in
                  </th>
                  <th scope="col" className="hidden px-4 py-3 lg:table-cell">
                    Created
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200">
                {page.items.map((user) => (
                  <tr key={user.id} data-testid="user-row">
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
