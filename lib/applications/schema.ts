/**
 * What an application registration may contain: one schema shared by the admin form, its server
 * actions and the CLI, so every entry point enforces the same rules and reports each problem
 * against the field that caused it. Nothing reaches the database without passing it.
 */
import { z } from "zod";
import { grantTypeInfo, grantTypes, isGrantType, type GrantType } from "../oauth/grant-types.ts";
import { originProblem, redirectUriProblem, isWebUrl } from "../oauth/redirect-uri.ts";
import { isScopeToken, type ScopeCatalogue } from "../oauth/scope.ts";
import { settings } from "../config/settings.ts";
import { hasControlCharacters } from "../control-characters.ts";

export const clientTypes = ["confidential", "public"] as const;
export type ClientTypeName = (typeof clientTypes)[number];
export const signingAlgorithms = ["none", "RS256"] as const;
export type SigningAlgorithmName = (typeof signingAlgorithms)[number];

/** Lists arrive as arrays (JSON, forms with repeated fields) or as one whitespace-separated string. */
const list = z.preprocess(
  (value) => {
    if (value === undefined || value === null) return [];
    const items = typeof value === "string" ? value.split(/\s+/) : value;
    if (!Array.isArray(items)) return items;
    const trimmed = items.map((item) => (typeof item === "string" ? item.trim() : item)).filter((item) => item !== "");
    return [...new Set(trimmed)];
  },
  z
    .array(z.string().max(2000, "Each entry must be at most 2,000 characters"))
    .max(50, "At most 50 entries are allowed"),
);

/** Checkbox values: real booleans, or the strings a form or CLI sends. */
const flag = (fallback: boolean) =>
  z.preprocess((value) => {
    if (value === undefined || value === null || value === "") return fallback;
    if (typeof value === "string") return ["on", "true", "1", "yes"].includes(value.toLowerCase());
    return value;
  }, z.boolean());

const noControlCharacters = (text: string) => !hasControlCharacters(text);

const optionalUri = z.preprocess(
  (value) =>
    typeof value === "string" && value.trim() === "" ? undefined : typeof value === "string" ? value.trim() : value,
  z.string().max(2000, "Must be at most 2,000 characters").refine(isWebUrl, "Enter an https URL").optional(),
);

/** Token lifetimes in seconds; empty means the server default. */
const lifetime = z.preprocess(
  (value) =>
    value === "" || value === null || value === undefined
      ? undefined
      : typeof value === "string"
        ? Number(value)
        : value,
  z
    .number({ error: "Enter a number of seconds" })
    .int("Enter a whole number of seconds")
    .min(60, "Must be at least 60 seconds")
    .max(366 * 24 * 3600, "Must be at most a year (31,622,400 seconds)")
    .optional(),
);

const schemas = new WeakMap<ScopeCatalogue, ReturnType<typeof applicationInputSchemaFor>>();

/** The schema for a server whose scope catalogue is `catalogue`: only its scopes can be allowed. */
function applicationInputSchemaFor(catalogue: ScopeCatalogue) {
  return z
    .object({
      name: z.preprocess(
        (value) => (typeof value === "string" ? value.trim() : value),
        z
          .string({ error: "Enter a name" })
          .min(1, "Enter a name")
          .max(100, "Must be at most 100 characters")
          .refine(noControlCharacters, "Must not contain control characters (tabs, line breaks, NUL)"),
      ),
      clientType: z.enum(clientTypes, { error: "Choose confidential or public" }),
      grantTypes: list.pipe(
        z.array(
          z.string().refine(isGrantType, {
            error: (issue) =>
              `"${String(issue.input)}" is not a supported grant type (implicit is not offered: use authorization code with PKCE)`,
          }),
        ),
      ),
      redirectUris: list,
      postLogoutRedirectUris: list,
      allowedOrigins: list,
      allowedScopes: list,
      skipAuthorization: flag(false),
      algorithm: z.preprocess(
        (value) => (value === undefined || value === "" ? "none" : value),
        z.enum(signingAlgorithms, { error: "Choose none or RS256" }),
      ),
      pkceRequired: flag(true),
      introspectAnyToken: flag(false),
      logoUri: optionalUri,
      homepageUri: optionalUri,
      policyUri: optionalUri,
      tosUri: optionalUri,
      accessTokenLifetime: lifetime,
      refreshTokenLifetime: lifetime,
    })
    .superRefine(
      (input, ctx) => {
        // Zod runs this even when a field already failed; look only at values that parsed.
        const strings = (value: unknown): string[] =>
          Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
        const app = {
          ...input,
          grantTypes: strings(input.grantTypes),
          redirectUris: strings(input.redirectUris),
          postLogoutRedirectUris: strings(input.postLogoutRedirectUris),
          allowedOrigins: strings(input.allowedOrigins),
          allowedScopes: strings(input.allowedScopes),
        };
        const grants = new Set<GrantType>(app.grantTypes.filter(isGrantType));
        const fail = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });

        if (app.grantTypes.length === 0) fail("grantTypes", "Choose at least one grant type");
        if (app.clientType === "public") {
          for (const grant of grants) {
            if (grantTypeInfo[grant].confidentialOnly) {
              fail(
                "grantTypes",
                `${grantTypeInfo[grant].label} needs a confidential client: a public client cannot keep a secret`,
              );
            }
          }
          if (app.introspectAnyToken) fail("introspectAnyToken", "Only confidential clients can introspect tokens");
        }
        if (grants.has("refresh_token") && ![...grants].some((grant) => grantTypeInfo[grant].issuesRefreshTokens)) {
          fail(
            "grantTypes",
            "Refresh token needs a grant that issues refresh tokens (authorization code, device code or password)",
          );
        }
        if (grants.has("authorization_code") && app.redirectUris.length === 0) {
          fail("redirectUris", "At least one redirect URI is required for the authorization code grant");
        }
        for (const [field, check] of [
          ["redirectUris", redirectUriProblem],
          ["postLogoutRedirectUris", redirectUriProblem],
          ["allowedOrigins", originProblem],
        ] as const) {
          for (const value of app[field]) {
            const problem = check(value);
            if (problem) fail(field, `${value}: ${problem}`);
          }
        }
        for (const scope of app.allowedScopes) {
          if (!isScopeToken(scope)) fail("allowedScopes", `"${scope}" is not a valid scope name`);
          // A scope the server does not offer could never be granted (authorize refuses it), and a
          // form cannot show it as a choice: refusing it here keeps the stored list meaningful.
          else if (!Object.hasOwn(catalogue, scope)) {
            fail(
              "allowedScopes",
              `"${scope}" is not a scope this server offers: remove it, or add it to PORTCULLIS_SCOPES`,
            );
          }
        }
      },
      {
        // Report cross-field problems together with a missing name or type, not one round later.
        when: (payload) => typeof payload.value === "object" && payload.value !== null,
      },
    );
}

export type ApplicationInput = z.output<ReturnType<typeof applicationInputSchemaFor>>;
export type ApplicationField = keyof ApplicationInput;
export type FieldErrors = Partial<Record<ApplicationField | "form", string[]>>;

export type ParseResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/**
 * Validates raw input (form fields, CLI flags or JSON), with each error tied to its field. Scopes
 * are checked against the server's catalogue (PORTCULLIS_SCOPES and the built-in ones).
 */
export function parseApplicationInput(
  raw: unknown,
  catalogue: ScopeCatalogue = settings().scopes,
): ParseResult<ApplicationInput> {
  let schema = schemas.get(catalogue);
  if (!schema) schemas.set(catalogue, (schema = applicationInputSchemaFor(catalogue)));
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = (typeof issue.path[0] === "string" ? issue.path[0] : "form") as ApplicationField | "form";
    const messages = (errors[field] ??= []);
    if (!messages.includes(issue.message)) messages.push(issue.message);
  }
  return { ok: false, errors };
}

export const applicationFieldLabels: Record<ApplicationField, string> = {
  name: "Name",
  clientType: "Client type",
  grantTypes: "Grant types",
  redirectUris: "Redirect URIs",
  postLogoutRedirectUris: "Post-logout redirect URIs",
  allowedOrigins: "Allowed CORS origins",
  allowedScopes: "Allowed scopes",
  skipAuthorization: "Trusted (skip consent)",
  algorithm: "ID token signing algorithm",
  pkceRequired: "Require PKCE",
  introspectAnyToken: "May introspect any token",
  logoUri: "Logo URL",
  homepageUri: "Homepage URL",
  policyUri: "Privacy policy URL",
  tosUri: "Terms of service URL",
  accessTokenLifetime: "Access token lifetime",
  refreshTokenLifetime: "Refresh token lifetime",
};

export { grantTypes };
