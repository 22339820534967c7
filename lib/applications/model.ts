/** How an application is stored versus how the rest of the code sees it (never with its secret hash). */
import type { GrantType } from "../oauth/grant-types.ts";
import type { ApplicationInput, ClientTypeName, SigningAlgorithmName } from "./schema.ts";

export interface Application {
  id: string;
  clientId: string;
  name: string;
  clientType: ClientTypeName;
  grantTypes: GrantType[];
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  allowedOrigins: string[];
  allowedScopes: string[];
  skipAuthorization: boolean;
  algorithm: SigningAlgorithmName;
  pkceRequired: boolean;
  introspectAnyToken: boolean;
  logoUri: string | null;
  homepageUri: string | null;
  policyUri: string | null;
  tosUri: string | null;
  accessTokenLifetime: number | null;
  refreshTokenLifetime: number | null;
  owner: { id: string; email: string; name: string } | null;
  /** Last four characters of the current secret; null for public clients. */
  clientSecretHint: string | null;
  clientSecretIssuedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The relations and columns a read needs, in Prisma's `include`/`select` form. */
export const applicationInclude = {
  grantTypes: { select: { grantType: true } },
  uris: { select: { kind: true, uri: true }, orderBy: { position: "asc" } },
  scopes: { select: { scope: true } },
  owner: { select: { id: true, email: true, name: true } },
} as const;

export interface ApplicationRow {
  id: string;
  clientId: string;
  name: string;
  clientType: "CONFIDENTIAL" | "PUBLIC";
  skipAuthorization: boolean;
  algorithm: "NONE" | "RS256";
  pkceRequired: boolean;
  introspectAnyToken: boolean;
  logoUri: string | null;
  homepageUri: string | null;
  policyUri: string | null;
  tosUri: string | null;
  accessTokenLifetime: number | null;
  refreshTokenLifetime: number | null;
  clientSecretHint: string | null;
  clientSecretIssuedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  grantTypes: { grantType: string }[];
  uris: { kind: "REDIRECT" | "POST_LOGOUT_REDIRECT" | "CORS_ORIGIN"; uri: string }[];
  scopes: { scope: string }[];
  owner: { id: string; email: string; name: string } | null;
}

const uriKinds = {
  redirectUris: "REDIRECT",
  postLogoutRedirectUris: "POST_LOGOUT_REDIRECT",
  allowedOrigins: "CORS_ORIGIN",
} as const;

export function toApplication(row: ApplicationRow): Application {
  const urisOf = (kind: ApplicationRow["uris"][number]["kind"]) =>
    row.uris.filter((uri) => uri.kind === kind).map((uri) => uri.uri);
  return {
    id: row.id,
    clientId: row.clientId,
    name: row.name,
    clientType: row.clientType === "PUBLIC" ? "public" : "confidential",
    grantTypes: row.grantTypes.map((grant) => grant.grantType as GrantType).sort(),
    redirectUris: urisOf(uriKinds.redirectUris),
    postLogoutRedirectUris: urisOf(uriKinds.postLogoutRedirectUris),
    allowedOrigins: urisOf(uriKinds.allowedOrigins),
    allowedScopes: row.scopes.map((scope) => scope.scope).sort(),
    skipAuthorization: row.skipAuthorization,
    algorithm: row.algorithm === "RS256" ? "RS256" : "none",
    pkceRequired: row.pkceRequired,
    introspectAnyToken: row.introspectAnyToken,
    logoUri: row.logoUri,
    homepageUri: row.homepageUri,
    policyUri: row.policyUri,
    tosUri: row.tosUri,
    accessTokenLifetime: row.accessTokenLifetime,
    refreshTokenLifetime: row.refreshTokenLifetime,
    owner: row.owner,
    clientSecretHint: row.clientSecretHint,
    clientSecretIssuedAt: row.clientSecretIssuedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Scalar columns for an input, in the stored form. */
export function columnsFrom(input: ApplicationInput) {
  return {
    name: input.name,
    clientType: input.clientType === "public" ? ("PUBLIC" as const) : ("CONFIDENTIAL" as const),
    skipAuthorization: input.skipAuthorization,
    algorithm: input.algorithm === "RS256" ? ("RS256" as const) : ("NONE" as const),
    pkceRequired: input.pkceRequired,
    introspectAnyToken: input.introspectAnyToken,
    logoUri: input.logoUri ?? null,
    homepageUri: input.homepageUri ?? null,
    policyUri: input.policyUri ?? null,
    tosUri: input.tosUri ?? null,
    accessTokenLifetime: input.accessTokenLifetime ?? null,
    refreshTokenLifetime: input.refreshTokenLifetime ?? null,
  };
}

/** Relation rows for an input's lists. */
export function relationsFrom(input: ApplicationInput) {
  const uris = (Object.keys(uriKinds) as (keyof typeof uriKinds)[]).flatMap((field) =>
    input[field].map((uri, position) => ({ kind: uriKinds[field], uri, position })),
  );
  return {
    grantTypes: input.grantTypes.map((grantType) => ({ grantType })),
    uris,
    scopes: input.allowedScopes.map((scope) => ({ scope })),
  };
}

/** The editable fields of an application, as the form and the audit trail see them. */
export function inputOf(app: Application): ApplicationInput {
  return {
    name: app.name,
    clientType: app.clientType,
    grantTypes: app.grantTypes,
    redirectUris: app.redirectUris,
    postLogoutRedirectUris: app.postLogoutRedirectUris,
    allowedOrigins: app.allowedOrigins,
    allowedScopes: app.allowedScopes,
    skipAuthorization: app.skipAuthorization,
    algorithm: app.algorithm,
    pkceRequired: app.pkceRequired,
    introspectAnyToken: app.introspectAnyToken,
    logoUri: app.logoUri ?? undefined,
    homepageUri: app.homepageUri ?? undefined,
    policyUri: app.policyUri ?? undefined,
    tosUri: app.tosUri ?? undefined,
    accessTokenLifetime: app.accessTokenLifetime ?? undefined,
    refreshTokenLifetime: app.refreshTokenLifetime ?? undefined,
  };
}
