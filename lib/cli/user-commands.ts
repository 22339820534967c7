/** The CLI's account commands for operators: list-users, set-role, reset-password (lib/cli/cli.ts). */
import { parseArgs } from "node:util";
import { cliActor } from "../audit/record.ts";
import type { Db } from "../db/client.ts";
import { resetPassword, setUserRole } from "../users/commands.ts";
import { findUserByEmail, listUsers, type RoleName, type UserListRow } from "../users/queries.ts";
import { hasNextPage } from "../pagination.ts";
import type { Io } from "./cli.ts";

/** An error, as every command prints one: `{"errors":{"--flag":[…]}}` with --json. */
function refuse(io: Io, flag: string, message: string, json: boolean | undefined): number {
  io.err(json ? JSON.stringify({ errors: { [flag]: [message] } }) : `error: ${flag}: ${message}`);
  return 1;
}

const roles: Record<string, RoleName> = { admin: "ADMIN", user: "USER" };

function userJson(row: Pick<UserListRow, "id" | "email" | "name" | "role" | "disabled"> & Partial<UserListRow>) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role.toLowerCase(),
    disabled: row.disabled,
    ...(row.lastSignInAt !== undefined ? { lastSignInAt: row.lastSignInAt?.toISOString() ?? null } : {}),
    ...(row.createdAt ? { createdAt: row.createdAt.toISOString() } : {}),
  };
}

export async function listUsersCommand(db: Db, args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { search: { type: "string" }, role: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const role = values.role === undefined ? undefined : roles[values.role];
  if (values.role !== undefined && !role) return refuse(io, "--role", "must be admin or user", values.json);
  const rows: UserListRow[] = [];
  for (let page = 1; ; page++) {
    const result = await listUsers(db, { search: values.search, role, page, pageSize: 100 });
    rows.push(...result.items);
    if (!hasNextPage(result)) break;
  }
  if (values.json) io.out(JSON.stringify(rows.map(userJson)));
  else if (rows.length === 0) io.out("No users.");
  else
    for (const row of rows)
      io.out(
        `${row.id}  ${row.role.toLowerCase().padEnd(5)}  ${row.disabled ? "disabled" : "active  "}  ${row.email}${row.name ? `  (${row.name})` : ""}`,
      );
  return 0;
}

export async function setRoleCommand(db: Db, args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: "string" }, role: { type: "string" }, json: { type: "boolean", default: false } },
  });
  if (!values.email) return refuse(io, "--email", "is required", values.json);
  const role = values.role === undefined ? undefined : roles[values.role];
  if (!role) return refuse(io, "--role", "must be admin or user", values.json);
  const user = await findUserByEmail(db, values.email);
  if (!user) return refuse(io, "--email", `No user has the email ${values.email.trim().toLowerCase()}.`, values.json);
  const result = await setUserRole(db, user.id, role, cliActor);
  if (!result.ok) return refuse(io, "--role", result.message, values.json);
  if (values.json) io.out(JSON.stringify({ ...userJson(result.user), changed: result.changed }));
  else
    io.out(
      result.changed
        ? `${result.user.email} is now ${role === "ADMIN" ? "an admin" : "a user"}`
        : `${result.user.email} already was ${role === "ADMIN" ? "an admin" : "a user"}: nothing changed`,
    );
  return 0;
}

export async function resetPasswordCommand(db: Db, args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { email: { type: "string" }, password: { type: "string" }, json: { type: "boolean", default: false } },
  });
  if (!values.email) return refuse(io, "--email", "is required", values.json);
  const result = await resetPassword(db, values.email, values.password, cliActor);
  if (!result.ok)
    return refuse(io, result.reason === "invalid" ? "--password" : "--email", result.message, values.json);
  const { user, generatedPassword, sessionsEnded } = result;
  if (values.json) {
    io.out(
      JSON.stringify({
        ...userJson(user),
        ...(generatedPassword ? { password: generatedPassword } : {}),
        sessionsEnded,
      }),
    );
    return 0;
  }
  io.out(
    `Reset the password of ${user.email}; their sessions and tokens were revoked (${sessionsEnded} session(s) ended).`,
  );
  if (generatedPassword) io.out(`New password: ${generatedPassword}   (shown once)`);
  return 0;
}
