/**
 * Every application field, defined once: its label and help (shared by the form, the detail page,
 * the CLI's errors and the audit log), the rule that validates it, how the form shows it, and how
 * it is stored. The input, domain and protocol types, the form's values, the stored columns and
 * the token endpoint's SQL are all derived from this table, so a new field is one entry here plus
 * its column in prisma/schema.prisma (docs/extending.md walks through one).
 *
 * Rules between fields (a public client cannot use client credentials, ...) live in schema.ts.
 */
import { z } from "zod";
import type { ApplicationModel } from "../generated/sqlite/models.ts";
import { hasControlCharacters } from "../control-characters.ts";
import { isGrantType, type GrantType } from "../oauth/grant-types.ts";
import { isWebUrl } from "../oauth/redirect-uri.ts";
import { formatDuration, parseDuration } from "./durations.ts";
import type { FormContext, FormControl, FormSection } from "./form-layout.ts";

export { type FormContext, type FormControl, type FormSection, type Option } from "./form-layout.ts";

const clientTypes = ["confidential", "public"] as const;
export type ClientTypeName = (typeof clientTypes)[number];
const signingAlgorithms = ["none", "RS256"] as const;
export type SigningAlgorithmName = (typeof signingAlgorithms)[number];

// ---------------------------------------------------------------------------------------------
// Parsing: values arrive from forms (strings), the CLI (strings) or JSON (typed)

/** A list from arrays (JSON, forms with repeated fields) or one string split by `separator`. */
const listSplitOn = (separator: RegExp) =>
  z.preprocess(
    (value) => {
      if (value === undefined || value === null) return [];
      const items = typeof value === "string" ? value.split(separator) : value;
      if (!Array.isArray(items)) return items;
      const trimmed = items
        .map((item) => (typeof item === "string" ? item.trim() : item))
        .filter((item) => item !== "");
      return [...new Set(trimmed)];
    },
    z
      .array(z.string().max(2000, "Each entry must be at most 2,000 characters"))
      .max(50, "At most 50 entries are allowed"),
  );

/** Lists arrive as arrays or as one whitespace-separated string. */
export const list = listSplitOn(/\s+/);

/** A text box's lines, one entry each: "not a url" is one (bad) entry, not three. */
export const lineList = listSplitOn(/\r?\n/);

/** The 1-based line of a text box holding `entry`, or null when the value was not typed as lines. */
export function lineOf(raw: unknown, entry: string): number | null {
  if (typeof raw !== "string") return null;
  const index = raw.split(/\r?\n/).findIndex((line) => line.trim() === entry);
  return index === -1 ? null : index + 1;
}

/** Checkbox values: real booleans, or the strings a form or CLI sends. */
export const flag = (fallback: boolean) =>
  z.preprocess((value) => {
    if (value === undefined || value === null || value === "") return fallback;
    if (typeof value === "string") return ["on", "true", "1", "yes"].includes(value.toLowerCase());
    return value;
  }, z.boolean());

export const blankToNull = (value: unknown) =>
  value === undefined || value === null || (typeof value === "string" && value.trim() === "")
    ? null
    : typeof value === "string"
      ? value.trim()
      : value;

const optionalUrl = z.preprocess(
  blankToNull,
  z.string().max(2000, "Must be at most 2,000 characters").refine(isWebUrl, "Enter an https URL").nullable(),
);

/** Token lifetimes in seconds, written as durations ("30 days", or seconds); empty means the server default. */
const lifetime = z.preprocess(
  (value) => {
    const blank = blankToNull(value);
    return typeof blank === "string" ? (parseDuration(blank) ?? Number.NaN) : blank;
  },
  z
    .number({ error: "Enter a duration such as 15 minutes, 1 hour or 30 days" })
    .int("Enter a whole number of seconds")
    .min(60, "Must be at least 1 minute")
    .max(366 * 24 * 3600, "Must be at most a year (366 days)")
    .nullable(),
);

const choice = <const T extends readonly [string, ...string[]]>(values: T, error: string, fallback?: T[number]) =>
  z.preprocess(
    (value) => (fallback !== undefined && (value === undefined || value === "") ? fallback : value),
    z.enum(values, { error }),
  );

// ---------------------------------------------------------------------------------------------
// How a field is stored

type Column = keyof ApplicationModel;

/** A scalar column. `sql` says how the token endpoint's hand-written SELECT must read it. */
export interface ColumnStorage<T, C extends Column = Column> {
  kind: "column";
  column: C;
  sql: "value" | "boolean" | "enum";
  toColumn(value: T): ApplicationModel[C];
  fromColumn(value: ApplicationModel[C]): T;
}

export type UriKind = "REDIRECT" | "POST_LOGOUT_REDIRECT" | "CORS_ORIGIN";

/** Lists live in their own tables (SQLite has no scalar lists). */
export type RelationStorage =
  | { kind: "grantTypes" }
  | { kind: "uris"; uriKind: UriKind }
  | { kind: "scopes" }
  /** A deployer's custom field, under its key in the metadata column (custom-fields.ts). */
  | { kind: "metadata"; key: string };

function column<C extends Column>(name: C, sql: "value" | "boolean" = "value"): ColumnStorage<ApplicationModel[C], C> {
  return { kind: "column", column: name, sql, toColumn: (value) => value, fromColumn: (value) => value };
}

/** An enum column whose stored names differ from the words the rest of the code uses. */
function enumColumn<T extends string, C extends Column>(
  name: C,
  names: Record<T, ApplicationModel[C] & string>,
): ColumnStorage<T, C> {
  const entries = Object.entries(names) as [T, ApplicationModel[C] & string][];
  return {
    kind: "column",
    column: name,
    sql: "enum",
    toColumn: (value) => names[value],
    fromColumn: (stored) => {
      const found = entries.find(([, storedName]) => storedName === stored);
      if (!found) throw new Error(`Unknown ${name} ${String(stored)} in the database`);
      return found[0];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// How the form shows a field: form-layout.ts

export interface FieldDefinition<T, S extends ColumnStorage<T> | RelationStorage = ColumnStorage<T> | RelationStorage> {
  label: string;
  /** The checkbox's own wording, where it says more than the label. */
  checkboxLabel?: string;
  help?: string | ((context: FormContext) => string);
  section: FormSection;
  control: FormControl;
  /** Validates one field's raw value (a form's string, a CLI flag, JSON). */
  schema: z.ZodType<T, unknown>;
  /** A new application's value in the form. */
  initial: T;
  storage: S;
  /** A set rather than a sequence: its order is no change (the audit trail compares sorted). */
  unordered?: boolean;
  /** Shown as a column in the applications list. */
  listColumn?: boolean;
  /** Offered as a filter on the applications list. */
  listFilter?: boolean;
}

/** A field with its key: a built-in one, or a custom one ("fields." + its key). */
export type FieldEntry = FieldDefinition<unknown> & { key: string };

const field = <T, S extends ColumnStorage<T> | RelationStorage>(definition: FieldDefinition<T, S>) => definition;

const lifetimeHelp = (key: keyof FormContext["lifetimes"]) => (context: FormContext) =>
  `Such as 15 minutes, 1 hour or 30 days. Empty: the server default (${formatDuration(context.lifetimes[key])}).`;

// ---------------------------------------------------------------------------------------------
// The fields, in the order the form shows them

export const applicationFields = {
  name: field({
    label: "Name",
    help: "Shown to users on the consent screen.",
    section: "application",
    control: { kind: "text", required: true },
    schema: z.preprocess(
      (value) => (typeof value === "string" ? value.trim() : value),
      z
        .string({ error: "Enter a name" })
        .min(1, "Enter a name")
        .max(100, "Must be at most 100 characters")
        .refine((text) => !hasControlCharacters(text), "Must not contain control characters (tabs, line breaks, NUL)"),
    ),
    initial: "",
    storage: column("name"),
  }),
  clientType: field({
    label: "Client type",
    section: "application",
    control: {
      kind: "choice",
      style: "radio",
      options: [
        {
          value: "confidential",
          label: "Confidential",
          help: "Runs on a server and can keep a secret (web back ends, services).",
        },
        {
          value: "public",
          label: "Public",
          help: "Cannot keep a secret (single-page, mobile and desktop apps). Always uses PKCE.",
        },
      ],
    },
    schema: choice(clientTypes, "Choose confidential or public"),
    initial: "confidential" as ClientTypeName,
    storage: enumColumn<ClientTypeName, "clientType">("clientType", { confidential: "CONFIDENTIAL", public: "PUBLIC" }),
  }),
  grantTypes: field({
    label: "Grant types",
    help: "Choose every flow this application uses.",
    section: "application",
    control: { kind: "choices", options: "grantTypes" },
    schema: list.pipe(
      z.array(
        z.string().refine(isGrantType, {
          error: (issue) =>
            `"${String(issue.input)}" is not a supported grant type (implicit is not offered: use authorization code with PKCE)`,
        }),
      ),
    ) as z.ZodType<GrantType[], unknown>,
    initial: ["authorization_code", "refresh_token"] as GrantType[],
    storage: { kind: "grantTypes" },
    unordered: true,
  }),
  redirectUris: field({
    label: "Redirect URIs",
    help: "One per line. Matched exactly. https, or http on 127.0.0.1, [::1] or localhost; native apps may use com.example.app:/callback.",
    section: "redirects",
    control: { kind: "lines", placeholder: "https://app.example.com/callback" },
    schema: lineList,
    initial: [] as string[],
    storage: { kind: "uris", uriKind: "REDIRECT" },
  }),
  postLogoutRedirectUris: field({
    label: "Post-logout redirect URIs",
    help: "One per line. Where users may be sent after signing out through this app.",
    section: "redirects",
    control: { kind: "lines" },
    schema: lineList,
    initial: [] as string[],
    storage: { kind: "uris", uriKind: "POST_LOGOUT_REDIRECT" },
  }),
  allowedOrigins: field({
    label: "Allowed CORS origins",
    help: "One per line: scheme, host and port only. Browsers on these origins may call the token, revoke, introspection and userinfo endpoints.",
    section: "redirects",
    control: { kind: "lines", placeholder: "https://app.example.com" },
    schema: lineList,
    initial: [] as string[],
    storage: { kind: "uris", uriKind: "CORS_ORIGIN" },
  }),
  skipAuthorization: field({
    label: "Trusted (skip consent)",
    checkboxLabel: "Trusted: skip the consent screen",
    help: "Only for first-party apps. Users are never asked to approve a trusted app.",
    section: "security",
    control: { kind: "checkbox" },
    schema: flag(false),
    initial: false,
    storage: column("skipAuthorization", "boolean"),
  }),
  pkceRequired: field({
    label: "Require PKCE",
    help: "Always enforced for public clients. Keep it on unless a confidential client cannot send a code challenge.",
    section: "security",
    control: { kind: "checkbox" },
    schema: flag(true),
    initial: true,
    storage: column("pkceRequired", "boolean"),
  }),
  algorithm: field({
    label: "ID token signing algorithm",
    help: "RS256 enables OpenID Connect: ID tokens signed with the server's key.",
    section: "security",
    control: {
      kind: "choice",
      style: "select",
      options: [
        { value: "none", label: "None (no OpenID Connect)" },
        { value: "RS256", label: "RS256" },
      ],
    },
    schema: choice(signingAlgorithms, "Choose none or RS256", "none"),
    initial: "RS256" as SigningAlgorithmName,
    storage: enumColumn<SigningAlgorithmName, "algorithm">("algorithm", { none: "NONE", RS256: "RS256" }),
  }),
  allowedScopes: field({
    label: "Allowed scopes",
    help: "Leave all unticked to allow every scope the server offers.",
    section: "security",
    control: { kind: "choices", options: "scopes" },
    schema: list,
    initial: [] as string[],
    storage: { kind: "scopes" },
    unordered: true,
  }),
  introspectAnyToken: field({
    label: "May introspect any token",
    help: "For resource servers: lets this client introspect tokens issued to other applications. Confidential clients only.",
    section: "security",
    control: { kind: "checkbox" },
    schema: flag(false),
    initial: false,
    storage: column("introspectAnyToken", "boolean"),
  }),
  accessTokenLifetime: field({
    label: "Access token lifetime",
    help: lifetimeHelp("accessToken"),
    section: "security",
    control: { kind: "text", type: "duration", half: true },
    schema: lifetime,
    initial: null,
    storage: column("accessTokenLifetime"),
  }),
  refreshTokenLifetime: field({
    label: "Refresh token lifetime",
    help: lifetimeHelp("refreshToken"),
    section: "security",
    control: { kind: "text", type: "duration", half: true },
    schema: lifetime,
    initial: null,
    storage: column("refreshTokenLifetime"),
  }),
  logoUri: field({
    label: "Logo URL",
    section: "branding",
    control: { kind: "text", type: "url", half: true },
    schema: optionalUrl,
    initial: null,
    storage: column("logoUri"),
  }),
  homepageUri: field({
    label: "Homepage URL",
    section: "branding",
    control: { kind: "text", type: "url", half: true },
    schema: optionalUrl,
    initial: null,
    storage: column("homepageUri"),
  }),
  policyUri: field({
    label: "Privacy policy URL",
    section: "branding",
    control: { kind: "text", type: "url", half: true },
    schema: optionalUrl,
    initial: null,
    storage: column("policyUri"),
  }),
  tosUri: field({
    label: "Terms of service URL",
    section: "branding",
    control: { kind: "text", type: "url", half: true },
    schema: optionalUrl,
    initial: null,
    storage: column("tosUri"),
  }),
};

type Fields = typeof applicationFields;
export type ApplicationFieldKey = keyof Fields;
type ValueOf<F> = F extends FieldDefinition<infer T, infer _S> ? T : never;

/** An application's settings: what an admin registers, and what the protocol reads. */
export type ApplicationSettings = { [K in ApplicationFieldKey]: ValueOf<Fields[K]> };

const applicationFieldKeys = Object.keys(applicationFields) as ApplicationFieldKey[];

/** The definitions as a list, with their keys. */
export const applicationFieldList = applicationFieldKeys.map((key) => ({
  key,
  ...(applicationFields[key] as FieldDefinition<unknown>),
}));

// ---------------------------------------------------------------------------------------------
// Storage, derived

type ColumnFieldKey = {
  [K in ApplicationFieldKey]: Fields[K]["storage"] extends { kind: "column" } ? K : never;
}[ApplicationFieldKey];
type ColumnOf<K extends ColumnFieldKey> = Fields[K]["storage"] extends { column: infer C extends Column } ? C : never;

/** The Application columns the fields are stored in, typed as Prisma has them. */
export type StoredColumns = { [K in ColumnFieldKey as ColumnOf<K>]: ApplicationModel[ColumnOf<K>] };

const columnFields = applicationFieldList.flatMap((definition) =>
  definition.storage.kind === "column"
    ? [{ key: definition.key, storage: definition.storage as ColumnStorage<unknown> }]
    : [],
);

/** The scalar columns holding the fields, with how raw SQL must read each. */
export const storedColumns = columnFields.map(({ storage }) => ({ name: storage.column, sql: storage.sql }));

export function columnsFrom(settings: ApplicationSettings): StoredColumns {
  const columns: Record<string, unknown> = {};
  for (const { key, storage } of columnFields) columns[storage.column] = storage.toColumn(settings[key]);
  return columns as StoredColumns;
}

/** An application as storage hands it over: its columns, and its lists from their own tables. */
export interface StoredApplication {
  columns: Pick<ApplicationModel, keyof StoredColumns>;
  grantTypes: readonly string[];
  /** In their stored order. */
  uris: readonly { kind: UriKind; uri: string }[];
  scopes: readonly string[];
}

export function settingsFrom(stored: StoredApplication): ApplicationSettings {
  const settings: Record<string, unknown> = {};
  for (const { key, storage } of applicationFieldList) {
    switch (storage.kind) {
      case "column":
        settings[key] = (storage as ColumnStorage<unknown>).fromColumn(
          stored.columns[storage.column as keyof StoredApplication["columns"]],
        );
        break;
      case "grantTypes":
        settings[key] = stored.grantTypes.filter(isGrantType).sort();
        break;
      case "uris":
        settings[key] = stored.uris.filter((uri) => uri.kind === storage.uriKind).map((uri) => uri.uri);
        break;
      case "scopes":
        settings[key] = [...stored.scopes].sort();
        break;
    }
  }
  return settings as ApplicationSettings;
}

/** Rows for the list tables, in Prisma's nested-create form. */
export function relationsFrom(settings: ApplicationSettings) {
  const relations = {
    grantTypes: [] as { grantType: string }[],
    uris: [] as { kind: UriKind; uri: string; position: number }[],
    scopes: [] as { scope: string }[],
  };
  for (const { key, storage } of applicationFieldList) {
    const value = settings[key] as readonly string[];
    if (storage.kind === "grantTypes") relations.grantTypes.push(...value.map((grantType) => ({ grantType })));
    if (storage.kind === "uris") {
      relations.uris.push(...value.map((uri, position) => ({ kind: storage.uriKind, uri, position })));
    }
    if (storage.kind === "scopes") relations.scopes.push(...value.map((scope) => ({ scope })));
  }
  return relations;
}

/** The settings of an application, picked from anything that carries them (an Application, say). */
export function settingsOf(source: ApplicationSettings): ApplicationSettings {
  const settings: Record<string, unknown> = {};
  for (const key of applicationFieldKeys) settings[key] = source[key];
  return settings as ApplicationSettings;
}

/** Settings shaped for comparison: sets sorted, so their order is never a change. */
export function comparableSettings(settings: ApplicationSettings): Record<string, unknown> {
  const comparable: Record<string, unknown> = {};
  for (const { key, unordered } of applicationFieldList) {
    const value = settings[key];
    comparable[key] = unordered && Array.isArray(value) ? [...(value as string[])].sort() : value;
  }
  return comparable;
}

export function labelOf(key: ApplicationFieldKey): string {
  return applicationFields[key].label;
}
