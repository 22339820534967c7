/**
 * What a deployer may put in portcullis.config.ts: custom application fields and policy hooks,
 * with full types. `defineConfig` only checks and returns its argument; the types do the work: a
 * hook sees `application.fields.team` typed as the union of the `team` field's options.
 *
 * Hooks receive plain values (the application with its custom fields, the user, the scopes, the
 * grant), never the request: they decide, the server does the protocol. Each one defaults to
 * Portcullis's own behaviour, and may return a promise.
 */

export type CustomFieldType = "text" | "longText" | "boolean" | "number" | "url" | "email" | "oneOf" | "manyOf";

export type CustomFieldOption = string | { value: string; label: string };

interface FieldBase {
  label: string;
  help?: string;
  /** A value is required (for oneOf: one of the options must be chosen). Booleans and manyOf never are. */
  required?: boolean;
  /** Shown as a column in the applications list. */
  listColumn?: boolean;
  /** Offered as a filter on the applications list (oneOf, manyOf and boolean fields). */
  listFilter?: boolean;
}

export type CustomFieldDeclaration =
  | (FieldBase & { type: "text" | "longText" | "url" | "email"; default?: string; maxLength?: number })
  | (FieldBase & { type: "boolean"; default?: boolean })
  | (FieldBase & { type: "number"; default?: number; min?: number; max?: number; integer?: boolean })
  | (FieldBase & { type: "oneOf"; options: readonly CustomFieldOption[]; default?: string })
  | (FieldBase & { type: "manyOf"; options: readonly CustomFieldOption[]; default?: readonly string[] });

export type CustomFields = Record<string, CustomFieldDeclaration>;

type OptionValue<O> = O extends string ? O : O extends { value: infer V } ? V : never;

type ValueOf<D> = D extends { type: "boolean" }
  ? boolean
  : D extends { type: "number" }
    ? number
    : D extends { type: "manyOf"; options: readonly (infer O)[] }
      ? OptionValue<O>[]
      : D extends { type: "oneOf"; options: readonly (infer O)[] }
        ? OptionValue<O>
        : string;

/** The values of the declared fields, as hooks see them: null where an optional field is empty. */
export type CustomFieldValues<F extends CustomFields> = {
  [K in keyof F]: F[K] extends { type: "boolean" } | { type: "manyOf" } | { required: true }
    ? ValueOf<F[K]>
    : ValueOf<F[K]> | null;
};

/** An application as hooks see it: its settings and its custom fields (never its secret). */
export interface PolicyApplication<V = Record<string, unknown>> {
  id: string;
  clientId: string;
  name: string;
  clientType: "confidential" | "public";
  grantTypes: readonly string[];
  redirectUris: readonly string[];
  allowedScopes: readonly string[];
  skipAuthorization: boolean;
  fields: V;
}

export interface PolicyUser {
  id: string;
  email: string;
  name: string;
}

export interface PolicyRequest<V> {
  application: PolicyApplication<V>;
  /** The grant being used or asked for, e.g. "authorization_code" or "client_credentials". */
  grantType: string;
  /** The user, where there is one: null at the token endpoint before a grant has found one. */
  user: PolicyUser | null;
  /** The scopes requested (or, once granted, the scopes granted). */
  scopes: readonly string[];
}

/** An application being registered or changed: its settings and custom fields as entered. */
export interface ApplicationDraft<V> {
  name: string;
  clientType: "confidential" | "public";
  grantTypes: readonly string[];
  redirectUris: readonly string[];
  allowedScopes: readonly string[];
  skipAuthorization: boolean;
  fields: V;
}

export type ClaimsPurpose = "id_token" | "userinfo" | "introspection";

type Awaitable<T> = T | Promise<T>;

export interface PolicyHooks<V = Record<string, unknown>> {
  /** Django OAuth Toolkit's allows_grant_type: may this application use this grant now? Default: it is registered for it. */
  allowsGrantType?(request: PolicyRequest<V>, registered: boolean): Awaitable<boolean>;
  /** Whether consent is skipped for this request. Default: the application's trust switch. */
  skipAuthorization?(request: PolicyRequest<V> & { user: PolicyUser }, trusted: boolean): Awaitable<boolean>;
  /**
   * May this user authorize this application at all? Return true, or the reason for refusing
   * (shown to the user, sent to the client as access_denied, and audited).
   */
  mayAuthorize?(request: PolicyRequest<V> & { user: PolicyUser }): Awaitable<true | string>;
  /** Extra registration rules: messages by field key (a built-in field, or a custom field's key). */
  validateApplication?(draft: ApplicationDraft<V>): Record<string, string | string[]> | undefined | void;
  /** Extra claims for ID tokens, userinfo and introspection; reserved claims cannot be overridden. */
  claims?(
    request: PolicyRequest<V> & { purpose: ClaimsPurpose },
  ): Awaitable<Record<string, unknown> | undefined | void>;
}

export interface PortcullisConfig<F extends CustomFields = CustomFields> {
  /** Custom application fields, by key (letters, digits and underscores, starting with a letter). */
  applicationFields?: F;
  hooks?: PolicyHooks<CustomFieldValues<F>>;
}

/** The one thing portcullis.config.ts exports (as default): checked and typed here. */
export function defineConfig<const F extends CustomFields = Record<never, never>>(
  config: PortcullisConfig<F>,
): PortcullisConfig<F> {
  return config;
}
