/**
 * What an application registration may contain: one schema shared by the admin form, its server
 * actions and the CLI, so every entry point enforces the same rules and reports each problem
 * against the field that caused it. Nothing reaches the database without passing it.
 */
import { z } from "zod";
import { grantTypeInfo, isGrantType, type GrantType } from "../oauth/grant-types.ts";
import { originProblem, redirectUriProblem } from "../oauth/redirect-uri.ts";
import { isScopeToken, type ScopeCatalogue } from "../oauth/scope.ts";
import { extensions } from "../extensions/active.ts";
import type { PortcullisConfig } from "../extensions/define.ts";
import { customFieldEntries, customFieldPrefix } from "./custom-fields.ts";
import { applicationFields, lineOf, type ApplicationFieldKey, type ApplicationSettings } from "./fields.ts";
import { log } from "../log/logger.ts";

/** Each field's own rule, from its one definition. */
const fieldSchemas = Object.fromEntries(
  Object.entries(applicationFields).map(([key, definition]) => [key, definition.schema]),
) as { [K in ApplicationFieldKey]: (typeof applicationFields)[K]["schema"] };

const schemas = new WeakMap<PortcullisConfig, WeakMap<ScopeCatalogue, ReturnType<typeof applicationInputSchemaFor>>>();

/** The schema for a server whose scope catalogue is `catalogue`: only its scopes can be allowed. */
function applicationInputSchemaFor(catalogue: ScopeCatalogue, config: PortcullisConfig) {
  const customSchemas = Object.fromEntries(customFieldEntries(config).map((entry) => [entry.key, entry.schema]));
  return z.object({ ...customSchemas, ...fieldSchemas }).superRefine(
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
      const fail = (path: string, message: string, params?: { entry: string }) =>
        ctx.addIssue({ code: "custom", path: [path], message, ...(params ? { params } : {}) });

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
          if (problem) fail(field, `${value}: ${problem}`, { entry: value });
        }
      }
      for (const scope of app.allowedScopes) {
        if (!isScopeToken(scope)) fail("allowedScopes", `"${scope}" is not a valid scope name`);
        // A scope the server does not offer could never be granted (authorize refuses it), and a
        // form cannot show it as a choice: refusing it here keeps the stored list meaningful.
        else if (!Object.hasOwn(catalogue, scope)) {
          fail(
            "allowedScopes",
            `"${scope}" is not a scope this server offers: remove it, or add it to the scope catalogue (Admin › Scopes)`,
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

/** A validated registration: every built-in field's value, and the custom fields' by their declared key. */
export type ApplicationInput = ApplicationSettings & { fields: Record<string, unknown> };
/** Messages by field: a built-in key, "fields." + a custom field's key, or "form". */
export type FieldErrors = Partial<Record<string, string[]>>;

function pickSettings(data: ApplicationSettings): ApplicationSettings {
  const settings: Record<string, unknown> = {};
  for (const key of Object.keys(applicationFields)) settings[key] = data[key as ApplicationFieldKey];
  return settings as ApplicationSettings;
}

/** The deployer's validateApplication hook: its messages by field, or null when it has none. */
function deployerRules(input: ApplicationInput, config: PortcullisConfig): FieldErrors | null {
  const hook = config.hooks?.validateApplication;
  if (!hook) return null;
  let found: Record<string, string | string[]> | undefined | void;
  try {
    found = hook({
      name: input.name,
      clientType: input.clientType,
      grantTypes: input.grantTypes,
      redirectUris: input.redirectUris,
      allowedScopes: input.allowedScopes,
      skipAuthorization: input.skipAuthorization,
      fields: input.fields as Parameters<typeof hook>[0]["fields"],
    });
  } catch (error) {
    log().error({ err: error }, "portcullis.config.ts: the validateApplication hook failed");
    return {
      form: ["The registration rules could not be checked (the server log has the details). Nothing was saved."],
    };
  }
  if (!found) return null;
  const errors: FieldErrors = {};
  for (const [key, messages] of Object.entries(found)) {
    const field = Object.hasOwn(applicationFields, key)
      ? key
      : Object.hasOwn(input.fields, key)
        ? `${customFieldPrefix}${key}`
        : "form";
    (errors[field] ??= []).push(...(Array.isArray(messages) ? messages : [messages]));
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

/** An entry's problem, led by the line it was typed on when it came from a text box. */
function withLine(issue: z.core.$ZodIssue, raw: unknown, field: string): string {
  const entry = issue.code === "custom" ? (issue.params as { entry?: unknown } | undefined)?.entry : undefined;
  if (typeof entry !== "string" || typeof raw !== "object" || raw === null) return issue.message;
  const line = lineOf((raw as Record<string, unknown>)[field], entry);
  return line === null ? issue.message : `Line ${line}: ${issue.message}`;
}

export type ParseResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/**
 * Validates raw input (form fields, CLI flags or JSON), with each error tied to its field. Scopes
 * are checked against the server's catalogue (lib/scopes/catalogue.ts, read by the caller).
 */
export function parseApplicationInput(
  raw: unknown,
  catalogue: ScopeCatalogue,
  config: PortcullisConfig = extensions(),
): ParseResult<ApplicationInput> {
  let byCatalogue = schemas.get(config);
  if (!byCatalogue) schemas.set(config, (byCatalogue = new WeakMap()));
  let schema = byCatalogue.get(catalogue);
  if (!schema) byCatalogue.set(catalogue, (schema = applicationInputSchemaFor(catalogue, config)));
  const result = schema.safeParse(raw);
  if (result.success) {
    const data = result.data as ApplicationSettings & Record<string, unknown>;
    const input: ApplicationInput = { ...pickSettings(data), fields: {} };
    for (const entry of customFieldEntries(config)) {
      input.fields[entry.key.slice(customFieldPrefix.length)] = data[entry.key];
    }
    const ruled = deployerRules(input, config);
    return ruled ? { ok: false, errors: ruled } : { ok: true, data: input };
  }
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = (typeof issue.path[0] === "string" ? issue.path[0] : "form") as string;
    const messages = (errors[field] ??= []);
    const message = withLine(issue, raw, field);
    if (!messages.includes(message)) messages.push(message);
  }
  return { ok: false, errors };
}
