import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ServiceUnavailable } from "@/components/service-unavailable";
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import {
  approve,
  decide,
  errorRedirect,
  returnAfterSignIn,
  validateAuthorizationRequest,
  type Validation,
} from "@/lib/oauth/authorize";
import { temporarilyUnavailable } from "@/lib/oauth/http";
import { protocol } from "@/lib/server/protocol";
import { toUrlSearchParams, type PageSearchParams } from "@/lib/web/search-params";
import { currentUser } from "@/lib/web/session";
import { AuthorizationError } from "./authorization-error";
import { ConsentScreen } from "@/components/consent/consent-screen";

export const metadata: Metadata = { title: "Authorize" };

export default async function AuthorizePage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  const query = toUrlSearchParams(await searchParams);
  const ctx = protocol();
  let validation: Validation;
  try {
    validation = await validateAuthorizationRequest(ctx, query);
  } catch (error) {
    // The client and its redirect URI are unknown until the database answers: nothing to redirect to.
    if (isDatabaseUnavailable(error)) return <ServiceUnavailable retryHref={`/oauth/authorize?${query}`} />;
    throw error;
  }
  if (!validation.ok) {
    if ("redirect" in validation) redirect(validation.redirect);
    return <AuthorizationError error={validation.show} />;
  }
  const { request } = validation;
  let user: Awaited<ReturnType<typeof currentUser>>;
  let decision: Awaited<ReturnType<typeof decide>>;
  let approved: string | undefined;
  try {
    user = await currentUser();
    decision = await decide(ctx, request, user ? { id: user.id, authTime: user.authTime } : null);
    if (decision.kind === "approve")
      approved = await approve(ctx, request, { id: user!.id, authTime: user!.authTime }, { consented: false });
  } catch (error) {
    // RFC 6749 §4.1.2.1: the client is known, so it hears that it may try again.
    if (isDatabaseUnavailable(error)) redirect(errorRedirect(ctx, request, temporarilyUnavailable()));
    throw error;
  }
  switch (decision.kind) {
    case "redirect":
      redirect(decision.location);
    case "sign-in": {
      const callbackUrl = encodeURIComponent(`/oauth/authorize?${returnAfterSignIn(query)}`);
      redirect(`/login?callbackUrl=${callbackUrl}${decision.reauthenticate ? "&switch=1" : ""}`);
    }
    case "approve":
      redirect(approved!);
    case "consent":
      return (
        <ConsentScreen
          action="/oauth/authorize/decision"
          fields={{ query: query.toString() }}
          returnTo={`/oauth/authorize?${query}`}
          user={{ id: user!.id, email: user!.email, name: user!.name }}
          client={request.client}
          scopes={request.scopes.map((name) => ({ name, description: ctx.config.scopes[name]?.description ?? name }))}
        />
      );
  }
}
