/** Reads of user accounts, for admins. Nothing here returns a password hash. */
import { listCountCap, paginate, type Page } from "../pagination.ts";
import { textFilter, type Db } from "../db/client.ts";

export type RoleName = "ADMIN" | "USER";

/** The columns the list sorts by, each indexed (prisma/schema.prisma). */
export const userSortKeys = ["email", "name", "created", "lastSignIn"] as const;
export type UserSortKey = (typeof userSortKeys)[number];
export type SortDirection = "asc" | "desc";

export interface UserListQuery {
  search?: string;
  role?: RoleName;
  status?: "active" | "disabled";
  /** Email ascending when absent. */
  sort?: UserSortKey;
  direction?: SortDirection;
  page?: number;
  pageSize?: number;
  /** Rows counted at most (beyond the requested page) for the total; listCountCap by default. */
  countCap?: number;
}

export interface UserListRow {
  id: string;
  email: string;
  name: string;
  role: RoleName;
  disabled: boolean;
  lastSignInAt: Date | null;
  createdAt: Date;
}

export interface UserDetail extends UserListRow {
  updatedAt: Date;
}

/** Reads list parameters from a URL query, ignoring anything malformed rather than failing. */
export function userListQueryFrom(params: Record<string, string | string[] | undefined>): UserListQuery {
  const one = (key: string) => {
    const value = params[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const page = Number(one("page"));
  const role = one("role");
  const status = one("status");
  return {
    search: one("q")?.trim().slice(0, 200) || undefined,
    role: role === "admin" ? "ADMIN" : role === "user" ? "USER" : undefined,
    status: status === "active" || status === "disabled" ? status : undefined,
    sort: userSortKeys.find((key) => key === one("sort")),
    direction: one("dir") === "desc" ? "desc" : one("dir") === "asc" ? "asc" : undefined,
    page: Number.isInteger(page) && page > 0 ? page : undefined,
  };
}

const listSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabled: true,
  lastSignInAt: true,
  createdAt: true,
} as const;

const sortColumns = { email: "email", name: "name", created: "createdAt", lastSignIn: "lastSignInAt" } as const;

/**
 * The list's order: the chosen column, then the unique email, so the order is total and pages never
 * overlap. Users who never signed in come last either way.
 */
export function userListOrder(query: Pick<UserListQuery, "sort" | "direction">) {
  const direction = query.direction ?? "asc";
  const column = sortColumns[query.sort ?? "email"];
  if (column === "email") return [{ email: direction }];
  if (column === "lastSignInAt")
    return [{ lastSignInAt: { sort: direction, nulls: "last" as const } }, { email: "asc" as const }];
  return [{ [column]: direction }, { email: "asc" as const }];
}

/** Users sorted as asked (email by default), filtered; search matches email or name, ignoring case on both databases. */
export async function listUsers(db: Db, query: UserListQuery = {}): Promise<Page<UserListRow>> {
  const pageSize = Math.min(Math.max(query.pageSize ?? 25, 1), 100);
  const where = {
    ...(query.search ? await textFilter(db, "User", ["email", "name"], query.search) : {}),
    ...(query.role ? { role: query.role } : {}),
    ...(query.status ? { disabled: query.status === "disabled" } : {}),
  };
  return paginate(
    (limit) => db.user.count({ where, take: limit }),
    ({ skip, take }) => db.user.findMany({ where, orderBy: userListOrder(query), skip, take, select: listSelect }),
    query.page,
    pageSize,
    { countCap: query.countCap ?? listCountCap },
  );
}

export async function findUser(db: Db, id: string): Promise<UserDetail | null> {
  return db.user.findUnique({ where: { id }, select: { ...listSelect, updatedAt: true } });
}

export async function findUserByEmail(db: Db, email: string): Promise<UserDetail | null> {
  return db.user.findUnique({
    where: { email: email.trim().toLowerCase() },
    select: { ...listSelect, updatedAt: true },
  });
}

/** Admins who can sign in: the rule is that there is always at least one. */
export function enabledAdminCount(db: Pick<Db, "user">): Promise<number> {
  return db.user.count({ where: { role: "ADMIN", disabled: false } });
}
