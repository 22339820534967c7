/**
 * The decisions a deployer may take over (portcullis.config.ts, through lib/extensions): the
 * protocol asks its context's policy, and each question left unanswered keeps Portcullis's own
 * rule. A policy that fails throws an OAuthError (server_error), never anything else.
 */
import type { ClientRecord, UserRecord } from "./store.ts";

type Awaitable<T> = T | Promise<T>;

export interface PolicyQuestion {
  client: ClientRecord;
  grantType: string;
  user: UserRecord | null;
  scopes: readonly string[];
}

export type ClaimsPurpose = "id_token" | "userinfo" | "introspection";

/** Claims the protocol sets itself or releases by scope: a policy's extra claims never replace them. */
const reservedClaims = new Set([
  "iss",
  "sub",
  "aud",
  "exp",
  "iat",
  "nbf",
  "jti",
  "auth_time",
  "nonce",
  "acr",
  "amr",
  "azp",
  "at_hash",
  "c_hash",
  "sid",
  "scope",
  "client_id",
  "active",
  "token_type",
  "username",
  "name",
  "email",
]);

export interface Policy {
  allowsGrantType?(question: PolicyQuestion): Awaitable<boolean>;
  skipAuthorization?(question: PolicyQuestion & { user: UserRecord }): Awaitable<boolean>;
  /** true, or why this user may not authorize this application. */
  mayAuthorize?(question: PolicyQuestion & { user: UserRecord }): Awaitable<true | string>;
  claims?(question: PolicyQuestion & { purpose: ClaimsPurpose }): Awaitable<Record<string, unknown>>;
}

/** Whether the client may use the grant: its registration, unless the policy says otherwise. */
export async function allowsGrantType(policy: Policy | undefined, question: PolicyQuestion): Promise<boolean> {
  if (!policy?.allowsGrantType) return question.client.grantTypes.includes(question.grantType as never);
  return policy.allowsGrantType(question);
}

/** The policy's extra claims, without any reserved one. */
export async function extraClaims(
  policy: Policy | undefined,
  question: PolicyQuestion & { purpose: ClaimsPurpose },
): Promise<Record<string, unknown>> {
  if (!policy?.claims) return {};
  const claims = await policy.claims(question);
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !reservedClaims.has(name)));
}
