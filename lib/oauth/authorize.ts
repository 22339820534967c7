/**
 * The authorization endpoint (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2), in three steps the page
 * calls in turn: validate the request (before anything is shown), decide what the signed-in user
 * needs (sign-in, consent, or nothing), then issue a code or refuse.
 *
 * RFC 6749 §4.1.2.1: while the client or its redirect URI is in doubt, errors are shown to the user
 * and never redirected (no open redirector); after that, errors go back to the client.
 */
import type { ProtocolContext } from "./context.ts";
import { OAuthError } from "./errors.ts";
import { logOAuthError } from "./http.ts";
import { optional, parseParams, type Params } from "./params.ts";
import { allowsGrantType } from "./policy.ts";
import { isCodeChallenge } from "./pkce.ts";
import { redirectUriAllowed } from "./redirect-uri.ts";
import { covers, formatScope, parseScope } from "./scope.ts";
import { resolveScopes } from "./scope-policy.ts";
import { generateCredential, hashCredential } from "./secrets.ts";
import type { ClientRecord } from "./store.ts";

type Prompt = "none" | "login" | "consent" | "select_account";

export interface AuthorizationRequest {
  client: ClientRecord;
  redirectUri: string;
  redirectUriProvided: boolean;
  state: string | undefined;
  scopes: string[];
  codeChallenge: string | null;
  nonce: string | undefined;
  prompts: ReadonlySet<Prompt>;
  /** OpenID Connect max_age: seconds since the user last signed in, beyond which they sign in again. */
  maxAge: number | undefined;
  /** Django OAuth Toolkit's approval_prompt, or the server default. */
  approvalPrompt: "auto" | "force";
}

export type Validation =
  | { ok: true; request: AuthorizationRequest }
  /** Shown to the user; the client cannot be trusted with a redirect. */
  | { ok: false; show: OAuthError }
  | { ok: false; redirect: string };

/** The redirect back to the client, with `iss` (RFC 9207) and the client's state. */
function clientRedirect(
  issuer: string,
  redirectUri: string,
  state: string | undefined,
  values: Record<string, string>,
): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(values)) url.searchParams.set(name, value);
  if (state !== undefined) url.searchParams.set("state", state);
  url.searchParams.set("iss", issuer);
  return url.toString();
}

export function errorRedirect(
  ctx: ProtocolContext,
  target: { redirectUri: string; state?: string },
  error: OAuthError,
): string {
  logOAuthError(error);
  return clientRedirect(ctx.config.issuer, target.redirectUri, target.state, {
    error: error.code,
    error_description: error.description,
  });
}

const maxStateLength = 2048;
const promptValues = new Set<Prompt>(["none", "login", "consent", "select_account"]);

/** Checks an authorization request; an error shown to the user (not the client) is logged. */
export async function validateAuthorizationRequest(ctx: ProtocolContext, query: URLSearchParams): Promise<Validation> {
  const validation = await validate(ctx, query);
  if (!validation.ok && "show" in validation) logOAuthError(validation.show);
  return validation;
}

async function validate(ctx: ProtocolContext, query: URLSearchParams): Promise<Validation> {
  let params: Params;
  try {
    params = parseParams(query);
  } catch (error) {
    if (error instanceof OAuthError) return { ok: false, show: error };
    throw error;
  }
  let clientId: string | undefined;
  let requested: string | undefined;
  try {
    clientId = optional(params, "client_id");
    requested = optional(params, "redirect_uri");
  } catch (error) {
    if (error instanceof OAuthError) return { ok: false, show: error };
    throw error;
  }
  if (!clientId) return { ok: false, show: new OAuthError("invalid_request", "The request has no client_id") };
  const client = await ctx.store.findClient(clientId);
  if (!client)
    return { ok: false, show: new OAuthError("invalid_client", "No application is registered with this client_id") };

  let redirectUri: string;
  // OpenID Connect Core §3.1.2.1: redirect_uri is required in an OpenID request.
  if (requested === undefined && /(^|\s)openid(\s|$)/.test(params.get("scope") ?? "")) {
    return { ok: false, show: new OAuthError("invalid_request", "An OpenID Connect request must send redirect_uri") };
  }
  if (requested !== undefined) {
    if (!redirectUriAllowed(requested, client.redirectUris)) {
      return {
        ok: false,
        show: new OAuthError("invalid_request", "The redirect_uri is not registered for this application"),
      };
    }
    redirectUri = requested;
  } else if (client.redirectUris.length === 1) {
    redirectUri = client.redirectUris[0]!;
  } else {
    return {
      ok: false,
      show: new OAuthError("invalid_request", "The request must say which registered redirect_uri to use"),
    };
  }

  const stateValue = params.get("state");
  const state = stateValue !== undefined && stateValue.length <= maxStateLength ? stateValue : undefined;
  const fail = (error: OAuthError): Validation => ({
    ok: false,
    redirect: errorRedirect(ctx, { redirectUri, state }, error),
  });
  try {
    if (stateValue !== undefined && state === undefined)
      throw new OAuthError("invalid_request", "The state parameter is too long");
    if (params.has("request")) throw new OAuthError("request_not_supported", "Request objects are not supported");
    if (params.has("request_uri")) throw new OAuthError("request_uri_not_supported", "request_uri is not supported");
    const responseType = optional(params, "response_type");
    if (responseType === undefined) throw new OAuthError("invalid_request", "The response_type parameter is required");
    if (responseType !== "code")
      throw new OAuthError("unsupported_response_type", "Only response_type=code is supported");
    const allowed = await allowsGrantType(ctx.policy, {
      client,
      grantType: "authorization_code",
      user: null,
      scopes: parseScope(optional(params, "scope")) ?? [],
    });
    if (!allowed) {
      throw new OAuthError("unauthorized_client", "This application may not use the authorization code grant");
    }
    const responseMode = optional(params, "response_mode");
    if (responseMode !== undefined && responseMode !== "query") {
      throw new OAuthError("invalid_request", "Only response_mode=query is supported");
    }
    const scopes = resolveScopes(optional(params, "scope"), client, await ctx.scopes.read());

    const challenge = optional(params, "code_challenge");
    const method = optional(params, "code_challenge_method");
    if (challenge === undefined && method !== undefined)
      throw new OAuthError("invalid_request", "code_challenge_method without code_challenge");
    if (challenge !== undefined) {
      // RFC 9700 §2.1.1: S256 only. RFC 7636 would default a missing method to plain, so require it.
      if (method !== "S256")
        throw new OAuthError("invalid_request", "code_challenge_method must be S256 (plain is not supported)");
      if (!isCodeChallenge(challenge))
        throw new OAuthError("invalid_request", "code_challenge must be a base64url SHA-256 digest");
    } else if (client.clientType === "public" || client.pkceRequired) {
      throw new OAuthError("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256");
    }

    const prompts = new Set<Prompt>();
    for (const value of (optional(params, "prompt") ?? "").split(" ").filter(Boolean)) {
      if (!promptValues.has(value as Prompt)) throw new OAuthError("invalid_request", `Unknown prompt value ${value}`);
      prompts.add(value as Prompt);
    }
    if (prompts.has("none") && prompts.size > 1)
      throw new OAuthError("invalid_request", "prompt=none cannot be combined with other values");
    const maxAgeValue = optional(params, "max_age");
    if (maxAgeValue !== undefined && !/^\d{1,9}$/.test(maxAgeValue)) {
      throw new OAuthError("invalid_request", "max_age must be a whole number of seconds");
    }
    const approval = optional(params, "approval_prompt");
    if (approval !== undefined && approval !== "auto" && approval !== "force") {
      throw new OAuthError("invalid_request", "approval_prompt must be auto or force");
    }
    return {
      ok: true,
      request: {
        client,
        redirectUri,
        redirectUriProvided: requested !== undefined,
        state,
        scopes,
        codeChallenge: challenge ?? null,
        nonce: optional(params, "nonce"),
        prompts,
        maxAge: maxAgeValue === undefined ? undefined : Number(maxAgeValue),
        // A client may ask to be asked (force), never to skip a server that always asks.
        approvalPrompt: ctx.config.approvalPrompt === "force" ? "force" : (approval ?? "auto"),
      },
    };
  } catch (error) {
    if (error instanceof OAuthError) return fail(error);
    throw error;
  }
}

/**
 * The authorize request to come back to from the sign-in page. A sign-in that just happened
 * satisfies prompt=login and select_account and any max_age, so those are dropped (kept, they would
 * ask for another sign-in on every return, forever: max_age=0 is exceeded a millisecond later).
 * Everything else stays, prompt=consent included: it still shows the consent screen (OpenID Connect
 * Core §3.1.2.1). The relying party verifies the sign-in's recency from auth_time in the ID token.
 */
export function returnAfterSignIn(query: URLSearchParams): URLSearchParams {
  const back = new URLSearchParams(query);
  const prompt = back.get("prompt");
  if (prompt !== null) {
    const rest = prompt.split(" ").filter((value) => value !== "" && value !== "login" && value !== "select_account");
    if (rest.length > 0) back.set("prompt", rest.join(" "));
    else back.delete("prompt");
  }
  back.delete("max_age");
  return back;
}

export interface SignedInUser {
  id: string;
  authTime: Date;
}

export type Decision =
  | { kind: "sign-in"; reauthenticate: boolean }
  /** The scopes this user granted this application before (none: never, or revoked since). */
  | { kind: "consent"; granted: string[] }
  | { kind: "approve" }
  | { kind: "redirect"; location: string };

/**
 * What the code flow and the device flow (./device-verification.ts) both ask before issuing to a
 * signed-in user: the application, the grant it will use, the scopes, and whether the consent
 * screen must show whatever was approved before.
 */
export interface ConsentQuestion {
  client: ClientRecord;
  grantType: string;
  scopes: readonly string[];
  /** prompt=consent or approval_prompt=force: remembered consent does not answer. */
  forceConsent: boolean;
}

export type ConsentOutcome =
  /** Trusted app, remembered consent, or the policy skips the screen. */
  | { kind: "approve" }
  /** The scopes this user granted this application before (none: never, or revoked since). */
  | { kind: "consent"; granted: string[] }
  /** The policy refuses this user this application (access_denied). */
  | { kind: "refused"; error: OAuthError }
  /** The user no longer exists or is disabled. */
  | { kind: "sign-in" };

/** The policy's view of the request, or null when the user no longer exists or is disabled. */
async function policyQuestion(ctx: ProtocolContext, question: ConsentQuestion, user: SignedInUser) {
  const record = await ctx.store.findUser(user.id);
  if (!record || record.disabled) return null;
  return { client: question.client, grantType: question.grantType, user: record, scopes: question.scopes };
}

/** The access_denied error when the policy refuses this user this application, else null. */
async function refusal(
  ctx: ProtocolContext,
  question: NonNullable<Awaited<ReturnType<typeof policyQuestion>>>,
): Promise<OAuthError | null> {
  if (!ctx.policy?.mayAuthorize) return null;
  const verdict = await ctx.policy.mayAuthorize(question);
  return verdict === true ? null : new OAuthError("access_denied", verdict);
}

/**
 * Whether the signed-in user must see the consent screen: the deployer's policy (mayAuthorize,
 * skipAuthorization), trusted applications and remembered consent decide, in that order.
 */
export async function consentNeeded(
  ctx: ProtocolContext,
  question: ConsentQuestion,
  user: SignedInUser,
): Promise<ConsentOutcome> {
  const { policy } = ctx;
  const { client } = question;
  if (policy?.mayAuthorize || policy?.skipAuthorization) {
    // The deployer's policy may refuse this user, or decide on consent itself.
    const asked = await policyQuestion(ctx, question, user);
    if (!asked) return { kind: "sign-in" };
    const refused = await refusal(ctx, asked);
    if (refused) return { kind: "refused", error: refused };
    const skip = policy.skipAuthorization ? await policy.skipAuthorization(asked) : client.skipAuthorization;
    if (skip) return { kind: "approve" };
  }
  // A trusted application never shows the consent screen.
  else if (client.skipAuthorization) return { kind: "approve" };
  // Read under prompt=consent too: the screen marks what the user has not granted before.
  const consent = await ctx.store.findConsent(user.id, client.id);
  const covered =
    !question.forceConsent &&
    consent !== null &&
    consent.expiresAt > ctx.now() &&
    covers(consent.scope, question.scopes);
  if (covered) {
    await ctx.store.noteConsentUse(user.id, client.id, ctx.now());
    return { kind: "approve" };
  }
  return { kind: "consent", granted: consent?.scope ?? [] };
}

/**
 * The user's approval, before anything is issued for it: the policy is asked again (Allow on a
 * consent screen must not get past a refusal), and a consent the user just gave (`consented`) is
 * remembered; silent approvals and trusted apps store nothing new. Returns the refusal, or null.
 */
export async function recordApproval(
  ctx: ProtocolContext,
  question: Omit<ConsentQuestion, "forceConsent">,
  user: SignedInUser,
  { consented }: { consented: boolean },
): Promise<OAuthError | null> {
  if (ctx.policy?.mayAuthorize) {
    const asked = await policyQuestion(ctx, { ...question, forceConsent: false }, user);
    if (!asked) return new OAuthError("access_denied", "The user denied the request");
    const refused = await refusal(ctx, asked);
    if (refused) return refused;
  }
  const now = ctx.now();
  if (consented && !question.client.skipAuthorization) {
    await ctx.store.saveConsent(
      user.id,
      question.client.id,
      question.scopes,
      now,
      new Date(now.getTime() + ctx.config.lifetimes.consent * 1000),
    );
  }
  return null;
}

const consentQuestionOf = (request: AuthorizationRequest): ConsentQuestion => ({
  client: request.client,
  grantType: "authorization_code",
  scopes: request.scopes,
  forceConsent: request.prompts.has("consent") || request.approvalPrompt === "force",
});

/** What the request needs from the user, given who is signed in and what they approved before. */
export async function decide(
  ctx: ProtocolContext,
  request: AuthorizationRequest,
  user: SignedInUser | null,
): Promise<Decision> {
  const { prompts } = request;
  if (!user) {
    if (prompts.has("none"))
      return {
        kind: "redirect",
        location: errorRedirect(ctx, request, new OAuthError("login_required", "The user is not signed in")),
      };
    return { kind: "sign-in", reauthenticate: false };
  }
  const tooOld = request.maxAge !== undefined && ctx.now().getTime() - user.authTime.getTime() > request.maxAge * 1000;
  if (tooOld && prompts.has("none")) {
    return {
      kind: "redirect",
      location: errorRedirect(ctx, request, new OAuthError("login_required", "The user must sign in again")),
    };
  }
  if (tooOld || prompts.has("login") || prompts.has("select_account")) return { kind: "sign-in", reauthenticate: true };
  const outcome = await consentNeeded(ctx, consentQuestionOf(request), user);
  switch (outcome.kind) {
    case "sign-in":
      return { kind: "sign-in", reauthenticate: true };
    case "refused":
      return { kind: "redirect", location: errorRedirect(ctx, request, outcome.error) };
    case "approve":
      return { kind: "approve" };
    case "consent":
      if (prompts.has("none")) {
        return {
          kind: "redirect",
          location: errorRedirect(
            ctx,
            request,
            new OAuthError("consent_required", "The user has not approved this application"),
          ),
        };
      }
      return { kind: "consent", granted: outcome.granted };
  }
}

/**
 * Issues a code and returns the redirect carrying it. `consented`: the user just clicked Allow, so
 * their approval is remembered (silent approvals and trusted apps store nothing new).
 */
export async function approve(
  ctx: ProtocolContext,
  request: AuthorizationRequest,
  user: SignedInUser,
  { consented }: { consented: boolean },
): Promise<string> {
  const refused = await recordApproval(ctx, consentQuestionOf(request), user, { consented });
  if (refused) return errorRedirect(ctx, request, refused);
  const now = ctx.now();
  const code = generateCredential("authorizationCode");
  await ctx.store.saveAuthorizationCode({
    codeHash: hashCredential(code),
    applicationId: request.client.id,
    userId: user.id,
    redirectUri: request.redirectUri,
    redirectUriProvided: request.redirectUriProvided,
    scope: formatScope(request.scopes),
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallenge ? "S256" : null,
    nonce: request.nonce ?? null,
    authTime: user.authTime,
    expiresAt: new Date(now.getTime() + ctx.config.lifetimes.authorizationCode * 1000),
  });
  return clientRedirect(ctx.config.issuer, request.redirectUri, request.state, { code });
}

/** The user said no (RFC 6749 §4.1.2.1: access_denied, with the state). */
export function deny(ctx: ProtocolContext, request: AuthorizationRequest): string {
  return errorRedirect(ctx, request, new OAuthError("access_denied", "The user denied the request"));
}
