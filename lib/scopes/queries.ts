/** The scope catalogue as the admin pages list it, with what uses each scope. */
import type { Transaction } from "../audit/record.ts";
import { providerOf, type Db } from "../db/client.ts";
import { compareScopeNames } from "./catalogue.ts";

export interface ScopeRecord {
  id: string;
  name: string;
  description: string;
  isDefault: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ScopeListItem extends ScopeRecord {
  /** Applications listing it among their allowed scopes (those allowing every scope are not counted). */
  applications: { id: string; name: string }[];
}

/** The applications that list `name` among their allowed scopes, by name. */
export async function applicationsAllowing(
  db: Db | Transaction,
  name: string,
): Promise<{ id: string; name: string }[]> {
  const rows = await db.applicationScope.findMany({
    where: { scope: name },
    select: { application: { select: { id: true, name: true } } },
  });
  return rows
    .map((row) => row.application)
    .sort((a, b) => a.name.localeCompare(b.name, "en") || a.id.localeCompare(b.id));
}

export async function listScopes(db: Db): Promise<ScopeListItem[]> {
  const [scopes, uses] = await Promise.all([
    db.scope.findMany(),
    db.applicationScope.findMany({ select: { scope: true, application: { select: { id: true, name: true } } } }),
  ]);
  return scopes
    .sort((a, b) => compareScopeNames(a.name, b.name))
    .map((scope) => ({
      ...scope,
      applications: uses
        .filter((use) => use.scope === scope.name)
        .map((use) => use.application)
        .sort((a, b) => a.name.localeCompare(b.name, "en")),
    }));
}

export async function findScope(db: Db, id: string): Promise<ScopeRecord | null> {
  return db.scope.findUnique({ where: { id } });
}

/** How many users have granted `name` to some application (their consents hold it). */
export async function usersGranting(db: Db, name: string): Promise<number> {
  // Consent.scope is space-separated: match the whole word, with no LIKE wildcards in play.
  const rows =
    providerOf(db) === "sqlite"
      ? await db.$queryRaw<{ count: number | bigint }[]>`
          SELECT COUNT(DISTINCT "userId") AS count FROM "Consent"
          WHERE instr(' ' || "scope" || ' ', ' ' || ${name} || ' ') > 0`
      : await db.$queryRaw<{ count: number | bigint }[]>`
          SELECT COUNT(DISTINCT "userId") AS count FROM "Consent"
          WHERE position((' ' || ${name}::text || ' ') in (' ' || "scope" || ' ')) > 0`;
  return Number(rows[0]?.count ?? 0);
}
