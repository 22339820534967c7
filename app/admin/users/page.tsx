import type { Metadata } from "next";
import Link from "next/link";
import { DateTime } from "@/components/date-time";
import { ButtonLink, buttonStyles } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
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

const control = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

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

      <form
        role="search"
        aria-label="Filter users"
        className="mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-4"
      >
        <div className="sm:col-span-2">
          <label htmlFor="q" className="block text-sm font-medium text-slate-800">
            Search
          </label>
          <input
            id="q"
            name="q"
            type="search"
            defaultValue={query.search}
            placeholder="Email or name"
            className={control}
          />
        </div>
        <div>
          <label htmlFor="role" className="block text-sm font-medium text-slate-800">
            Role
          </label>
          <select
            id="role"
            name="role"
            defaultValue={query.role === "ADMIN" ? "admin" : query.role === "USER" ? "user" : ""}
            className={control}
          >
            <option value="">Any</option>
            <option value="admin">Admins</option>
            <option value="user">Users</option>
          </select>
        </div>
        <div>
          <label htmlFor="status" className="block text-sm font-medium text-slate-800">
            Status
          </label>
          <select id="status" name="status" defaultValue={query.status ?? ""} className={control}>
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="disabled">Disabled</option>
          </select>
        </div>
        <div className="flex items-end gap-2 sm:col-span-2 lg:col-span-4">
          <button type="submit" className={buttonStyles.primary}>
            Apply
          </button>
          {filtered ? (
            <Link href="/admin/users" className={buttonStyles.ghost}>
              Clear filters
            </Link>
          ) : null}
        </div>
      </form>

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
                    <td className="max-w-0 px-4 py-3">
                      <Link
                        href={`/admin/users/${user.id}`}
                        className="block truncate font-medium text-indigo-700 hover:underline"
                      >
                        {user.email}
                      </Link>
                      {user.name ? <span className="block truncate text-xs text-slate-600">{user.name}</span> : null}
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
