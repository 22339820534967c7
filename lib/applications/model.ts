/** How an application is read from storage and how the rest of the code sees it (never with its secret hash). */
import type { ApplicationGetPayload } from "../generated/sqlite/models.ts";
import { customValuesFrom } from "./custom-fields.ts";
import { settingsFrom, type ApplicationSettings } from "./fields.ts";

export interface Application extends ApplicationSettings {
  id: string;
  clientId: string;
  owner: { id: string; email: string; name: string } | null;
  /** Last four characters of the current secret; null for public clients. */
  clientSecretHint: string | null;
  clientSecretIssuedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** The deployer's custom fields (portcullis.config.ts), by their declared key. */
  fields: Record<string, unknown>;
}

/** The relations a read needs, in Prisma's `include` form. */
export const applicationInclude = {
  grantTypes: { select: { grantType: true } },
  uris: { select: { kind: true, uri: true }, orderBy: { position: "asc" } },
  scopes: { select: { scope: true } },
  owner: { select: { id: true, email: true, name: true } },
} as const;

export type ApplicationRow = ApplicationGetPayload<{ include: typeof applicationInclude }>;

export function toApplication(row: ApplicationRow): Application {
  return {
    ...settingsFrom({
      columns: row,
      grantTypes: row.grantTypes.map((grant) => grant.grantType),
      uris: row.uris,
      scopes: row.scopes.map((scope) => scope.scope),
    }),
    id: row.id,
    clientId: row.clientId,
    owner: row.owner,
    clientSecretHint: row.clientSecretHint,
    clientSecretIssuedAt: row.clientSecretIssuedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    fields: customValuesFrom(row.metadata),
  };
}
