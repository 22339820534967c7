import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { ServiceUnavailable } from "@/components/service-unavailable";
import { pageAuthorizationOutcome } from "@/lib/server/authorization";
import { protocol } from "@/lib/server/protocol";
import { toUrlSearchParams, type PageSearchParams } from "@/lib/web/search-params";
import { ConsentScreen } from "@/components/consent/consent-screen";
import { describeConsentScopes } from "@/lib/access/queries";
import { AuthorizationError } from "./authorization-error";

export const metadata: Metadata = { title: "Authorize" };

/** The outcomes that are pages; `npm start` answers the redirects before Next, and decides the rest (server.ts). */
export default async function AuthorizePage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  const query = toUrlSearchParams(await searchParams);
  const ctx = protocol();
  const jar = async () => new Map((await cookies()).getAll().map((cookie) => [cookie.name, cookie.value]));
  const outcome = await pageAuthorizationOutcome(ctx, query, jar);
  switch (outcome.kind) {
    case "redirect":
      redirect(outcome.location);
    case "error":
      return <AuthorizationError error={outcome.error} />;
    case "unavailable":
      return <ServiceUnavailable retryHref={`/oauth/authorize?${query}`} />;
    case "consent":
      return (
        <ConsentScreen
          action="/oauth/authorize/decision"
          fields={{ query: query.toString() }}
          returnTo={`/oauth/authorize?${query}`}
          user={outcome.user}
          client={outcome.request.client}
          scopes={describeConsentScopes(outcome.request.scopes, await ctx.scopes.read(), outcome.granted)}
        />
      );
  }
}
