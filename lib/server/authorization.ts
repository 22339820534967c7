/**
 * GET /oauth/authorize as one decision: the request validated, the signed-in user read from the
 * session cookie, and what follows: a redirect (back to the client with a code or an error, or to
 * sign in), the consent screen, an error shown to the user, or "the database is unavailable".
 *
 * The authorize page (app/oauth/authorize/page.tsx) renders the outcomes that are pages. server.ts
 * asks first and answers the redirects itself, without Next's page pipeline: most authorize
 * requests (trusted apps, remembered consent, prompt=none, error redirects) need no page, and the
 * pipeline costs more than the decision. A request that needs a page reaches Next with its outcome
 * in the request's async context (`withDecidedOutcome`), so the page renders it without reading
 * the session, the client and the consents again; served otherwise (`next dev`), the page decides.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { isDatabaseUnavailable } from "../database-unavailable.ts";
import { settings } from "../config/settings.ts";
import { db } from "../db/client.ts";
import {
  approve,
  decide,
  errorRedirect,
  returnAfterSignIn,
  validateAuthorizationRequest,
  type AuthorizationRequest,
} from "../oauth/authorize.ts";
import type { ProtocolContext } from "../oauth/context.ts";
import type { OAuthError } from "../oauth/errors.ts";
import { temporarilyUnavailable } from "../oauth/http.ts";
import { resolveSession } from "../sessions/queries.ts";
import { sessionSecretFrom } from "../web/session-cookie.ts";

export interface AuthorizingUser {
  id: string;
  email: string;
  name: string;
}

export type AuthorizationOutcome =
  | { kind: "redirect"; location: string }
  | { kind: "consent"; request: AuthorizationRequest; user: AuthorizingUser; granted: string[] }
  /** The client or its redirect URI cannot be trusted: the error is shown, never sent. */
  | { kind: "error"; error: OAuthError }
  /** The database did not answer before the client was known: nowhere safe to redirect to. */
  | { kind: "unavailable" };

// One store per process: server.ts runs from source, the page from Next's bundle, which holds its
// own copy of this module.
const decidedKey = Symbol.for("portcullis.decidedAuthorization");
const holder = globalThis as { [decidedKey]?: AsyncLocalStorage<AuthorizationOutcome> };
const decided = (holder[decidedKey] ??= new AsyncLocalStorage());

/** Runs `render` (Next, for this very request) with the outcome already decided for it. */
export function withDecidedOutcome<T>(outcome: AuthorizationOutcome, render: () => T): T {
  return decided.run(outcome, render);
}

/** The page's outcome: the one server.ts decided for this request, else decided now. */
export async function pageAuthorizationOutcome(
  ctx: ProtocolContext,
  query: URLSearchParams,
  cookies: () => Promise<ReadonlyMap<string, string>>,
): Promise<AuthorizationOutcome> {
  return decided.getStore() ?? authorizationOutcome(ctx, query, await cookies());
}

export async function authorizationOutcome(
  ctx: ProtocolContext,
  query: URLSearchParams,
  cookies: ReadonlyMap<string, string>,
): Promise<AuthorizationOutcome> {
  let request: AuthorizationRequest;
  try {
    const validation = await validateAuthorizationRequest(ctx, query);
    if (!validation.ok)
      return "redirect" in validation
        ? { kind: "redirect", location: validation.redirect }
        : { kind: "error", error: validation.show };
    request = validation.request;
  } catch (error) {
    if (isDatabaseUnavailable(error)) return { kind: "unavailable" };
    throw error;
  }
  try {
    const secret = await sessionSecretFrom(cookies);
    const session = secret ? await resolveSession(db(), secret, settings().sessions) : null;
    const user = session ? { id: session.user.id, authTime: session.signedInAt } : null;
    const decision = await decide(ctx, request, user);
    switch (decision.kind) {
      case "redirect":
        return decision;
      case "sign-in": {
        const callbackUrl = encodeURIComponent(`/oauth/authorize?${returnAfterSignIn(query)}`);
        return {
          kind: "redirect",
          location: `/login?callbackUrl=${callbackUrl}${decision.reauthenticate ? "&switch=1" : ""}`,
        };
      }
      case "approve":
        return { kind: "redirect", location: await approve(ctx, request, user!, { consented: false }) };
      case "consent":
        return { kind: "consent", request, user: session!.user, granted: decision.granted };
    }
  } catch (error) {
    // RFC 6749 §4.1.2.1: the client is known, so it hears that it may try again.
    if (isDatabaseUnavailable(error))
      return { kind: "redirect", location: errorRedirect(ctx, request, temporarilyUnavailable()) };
    throw error;
  }
}
