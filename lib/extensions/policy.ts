/**
 * The deployer's hooks as the protocol's policy (lib/oauth/policy.ts): each hook is given plain
 * values (the application with its custom fields, the user, the scopes, the grant). A hook that
 * throws is logged with its detail and answered as server_error: the client never sees a stack
 * trace, the operator sees which hook failed and why.
 */
import { customValuesFrom } from "../applications/custom-fields.ts";
import { OAuthError } from "../oauth/errors.ts";
import type { Policy, PolicyQuestion } from "../oauth/policy.ts";
import type { ClientRecord, UserRecord } from "../oauth/store.ts";
import type { CustomFields, CustomFieldValues, PolicyApplication, PolicyUser, PortcullisConfig } from "./define.ts";
import { log } from "../log/logger.ts";

interface Refusal {
  client: ClientRecord;
  user: UserRecord;
  grantType: string;
  message: string;
}

export interface PolicyOptions {
  /** Told of each refusal by mayAuthorize (for the audit log); may be slow, must not throw. */
  onRefused?: (refusal: Refusal) => Promise<void>;
}

/** The custom fields' values, typed as the hooks declare them (the config's own declarations made them). */
type HookFields = CustomFieldValues<CustomFields>;

function applicationOf(client: ClientRecord, config: PortcullisConfig): PolicyApplication<HookFields> {
  return {
    id: client.id,
    clientId: client.clientId,
    name: client.name,
    clientType: client.clientType,
    grantTypes: client.grantTypes,
    redirectUris: client.redirectUris,
    allowedScopes: client.allowedScopes,
    skipAuthorization: client.skipAuthorization,
    fields: customValuesFrom(client.metadata, config) as HookFields,
  };
}

const userOf = (user: UserRecord | null): PolicyUser | null =>
  user ? { id: user.id, email: user.email, name: user.name } : null;

function request(question: PolicyQuestion, config: PortcullisConfig) {
  return {
    application: applicationOf(question.client, config),
    grantType: question.grantType,
    user: userOf(question.user),
    scopes: question.scopes,
  };
}

/** Runs a hook; a failure is logged and becomes server_error. */
async function guarded<T>(hook: string, client: ClientRecord, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    log().error({ hook, client_id: client.clientId, err: error }, "portcullis.config.ts: a hook failed");
    throw new OAuthError("server_error", "The server could not decide on this request", {
      detail: `${hook} hook: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}

/** The policy for a config: only the questions it has a hook for (the protocol answers the rest). */
export function policyFrom(config: PortcullisConfig, options: PolicyOptions = {}): Policy | undefined {
  const hooks = config.hooks ?? {};
  const policy: Policy = {};
  const { allowsGrantType, skipAuthorization, mayAuthorize, claims } = hooks;
  if (allowsGrantType) {
    policy.allowsGrantType = (question) =>
      guarded("allowsGrantType", question.client, async () => {
        const registered = question.client.grantTypes.includes(question.grantType as never);
        return (await allowsGrantType(request(question, config), registered)) === true;
      });
  }
  if (skipAuthorization) {
    policy.skipAuthorization = (question) =>
      guarded("skipAuthorization", question.client, async () => {
        const asked = { ...request(question, config), user: userOf(question.user)! };
        return (await skipAuthorization(asked, question.client.skipAuthorization)) === true;
      });
  }
  if (mayAuthorize) {
    policy.mayAuthorize = async (question) => {
      const verdict = await guarded("mayAuthorize", question.client, async () => {
        const answer = await mayAuthorize({ ...request(question, config), user: userOf(question.user)! });
        if (answer === true) return true as const;
        return typeof answer === "string" && answer.trim() !== ""
          ? answer
          : "You are not allowed to use this application";
      });
      if (verdict !== true) {
        await options.onRefused?.({
          client: question.client,
          user: question.user,
          grantType: question.grantType,
          message: verdict,
        });
      }
      return verdict;
    };
  }
  if (claims) {
    policy.claims = (question) =>
      guarded("claims", question.client, async () => {
        const extra = await claims({ ...request(question, config), purpose: question.purpose });
        return extra && typeof extra === "object" ? extra : {};
      });
  }
  return Object.keys(policy).length > 0 ? policy : undefined;
}
