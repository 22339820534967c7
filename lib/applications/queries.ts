/** Reads of applications. Nothing here returns a secret or its hash. */
import type { Transaction } from "../audit/record.ts";
import { metadataFilter, textFilter, type Db } from "../db/client.ts";
import { customFieldEntries, customValuesFrom } from "./custom-fields.ts";
import { isGrantType, type GrantType } from "../oauth/grant-types.ts";
import { listCountCap, paginate, type Page } from "../pagination.ts";
import type { ClientTypeName, FieldEntry } from "./fields.ts";
import { applicationInclude, toApplication, type Application } from "./model.ts";

export const applicationSorts = ["name", "-name", "created", "-created", "updated", "-updated"] as const;
export type ApplicationSort = (typeof applicationSorts)[number];

export interface ApplicationListQuery {
  search?: string;
  grantType?: GrantType;
  clientType?: ClientTypeName;
  trusted?: boolean;
  sort?: ApplicationSort;
  page?: number;
  pageSize?: number;
  /** Custom field filters (listFilter), by the field's key ("fields.team"). */
  fields?: Record<string, string | boolean>;
  /** Rows counted at most (beyond the requested page) for the total; listCountCap by default. */
  countCap?: number;
}

export interface ApplicationListRow {
  id: string;
  clientId: string;
  name: string;
  clientType: ClientTypeName;
  grantTypes: GrantType[];
  skipAuthorization: boolean;
  createdAt: Date;
  /** The custom fields, by their declared key. */
  fields: Record<string, unknown>;
}

export type { Page };

/** Reads list parameters from a URL query, ignoring anything malformed rather than failing. */
export function listQueryFrom(params: Record<string, string | string[] | undefined>): ApplicationListQuery {
  const one = (key: string) => {
    const value = params[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const page = Number(one("page"));
  const sort = one("sort");
  const grantType = one("grant");
  const clientType = one("type");
  const trusted = one("trusted");
  const fields: Record<string, string | boolean> = {};
  for (const entry of customFieldEntries().filter((candidate) => candidate.listFilter)) {
    const value = one(entry.key);
    if (!value) continue;
    if (entry.control.kind === "checkbox") {
      if (value === "yes" || value === "no") fields[entry.key] = value === "yes";
    } else if (optionValues(entry).includes(value)) fields[entry.key] = value;
  }
  return {
    fields,
    search: one("q")?.trim().slice(0, 200) || undefined,
    grantType: grantType && isGrantType(grantType) ? grantType : undefined,
    clientType: clientType === "public" || clientType === "confidential" ? clientType : undefined,
    trusted: trusted === "yes" ? true : trusted === "no" ? false : undefined,
    sort: (applicationSorts as readonly string[]).includes(sort ?? "") ? (sort as ApplicationSort) : undefined,
    page: Number.isInteger(page) && page > 0 ? page : undefined,
  };
}

/** The values a choice field offers (for filters). */
export function optionValues(entry: FieldEntry): string[] {
  const { control } = entry;
  if (control.kind === "choice") return control.options.map((option) => option.value);
  if (control.kind === "choices" && Array.isArray(control.options))
    return control.options.map((option) => option.value);
  return [];
}

function orderFor(sort: ApplicationSort) {
  const direction = sort.startsWith("-") ? ("desc" as const) : ("asc" as const);
  const key = sort.replace(/^-/, "");
  const column = key === "name" ? "name" : key === "created" ? "createdAt" : "updatedAt";
  // The id breaks ties so pages never overlap or skip rows.
  return [{ [column]: direction }, { id: direction }];
}

export async function listApplications(db: Db, query: ApplicationListQuery = {}): Promise<Page<ApplicationListRow>> {
  const pageSize = Math.min(Math.max(query.pageSize ?? 25, 1), 100);
  const fieldFilters = await Promise.all(
    Object.entries(query.fields ?? {}).map(([key, value]) => {
      const entry = customFieldEntries().find((candidate) => candidate.key === key);
      if (!entry || entry.storage.kind !== "metadata") return {};
      return metadataFilter(db, entry.storage.key, value, entry.control.kind === "choices" ? "contains" : "equals");
    }),
  );
  const where = {
    AND: fieldFilters,
    ...(query.search ? await textFilter(db, "Application", ["name", "clientId"], query.search) : {}),
    ...(query.grantType ? { grantTypes: { some: { grantType: query.grantType } } } : {}),
    ...(query.clientType
      ? { clientType: query.clientType === "public" ? ("PUBLIC" as const) : ("CONFIDENTIAL" as const) }
      : {}),
    ...(query.trusted !== undefined ? { skipAuthorization: query.trusted } : {}),
  };
  const page = await paginate(
    (limit) => db.application.count({ where, take: limit }),
    ({ skip, take }) =>
      db.application.findMany({
        where,
        orderBy: orderFor(query.sort ?? "-created"),
        skip,
        take,
        select: {
          id: true,
          clientId: true,
          name: true,
          clientType: true,
          skipAuthorization: true,
          createdAt: true,
          metadata: true,
          grantTypes: { select: { grantType: true } },
        },
      }),
    query.page,
    pageSize,
    { countCap: query.countCap ?? listCountCap },
  );
  return {
    ...page,
    items: page.items.map((row) => ({
      id: row.id,
      clientId: row.clientId,
      name: row.name,
      clientType: row.clientType === "PUBLIC" ? "public" : "confidential",
      grantTypes: row.grantTypes.map((grant) => grant.grantType as GrantType).sort(),
      skipAuthorization: row.skipAuthorization,
      createdAt: row.createdAt,
      fields: customValuesFrom(row.metadata),
    })),
  };
}

export async function findApplication(db: Db | Transaction, id: string): Promise<Application | null> {
  const row = await db.application.findUnique({ where: { id }, include: applicationInclude });
  return row ? toApplication(row) : null;
}

export async function findApplicationByClientId(db: Db, clientId: string): Promise<Application | null> {
  const row = await db.application.findUnique({ where: { clientId }, include: applicationInclude });
  return row ? toApplication(row) : null;
}
