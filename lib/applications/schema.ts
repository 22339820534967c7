/**
 * What an application registration may contain: one schema shared by the admin form, its server
 * actions and the CLI, so every entry point enforces the same rules and reports each problem
 * against the field that caused it. Nothing reaches the database without passing it.
 */
import { z } from "zod";
import { settings } from "../config/settings.ts";
import { grantTypeInfo, isGrantType, type GrantType } from "../oauth/grant-types.ts";
import { originProblem, redirectUriProblem } from "../oauth/redirect-uri.ts";
import { isScopeToken, type ScopeCatalogue } from "../oauth/scope.ts";
import { applicationFields, type ApplicationFieldKey, type ApplicationSettings } from "./fields.ts";

/** Each field's own rule, from its one definition. */
const fieldSchemas = Object.fromEntries(
  Object.entries(applicationFields).map(([key, definition]) => [key, definition.schema]),
) as { [K in ApplicationFieldKey]: (typeof applicationFields)[K]["schema"] };

const schemas = new WeakMap<ScopeCatalogue, ReturnType<typeof applicationInputSchemaFor>>();

/** The schema for a server whose scope catalogue is `catalogue`: only its scopes can be allowed. */
function applicationInputSchemaFor(catalogue: ScopeCatalogue) {
  return z.object(fieldSchemas).superRefine(
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

/** A validated registration: every field's value. */
export type ApplicationInput = ApplicationSettings;
export type FieldErrors = Partial<Record<ApplicationFieldKey | "form", string[]>>;

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
  if (result.success) return { ok: true, data: result.data satisfies ApplicationSettings };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = (typeof issue.path[0] === "string" ? issue.path[0] : "form") as ApplicationFieldKey | "form";
    const messages = (errors[field] ??= []);
    if (!messages.includes(issue.message)) messages.push(issue.message);
  }
  return { ok: false, errors };
}
