import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { approve, decide, returnAfterSignIn, validateAuthorizationRequest } from "@/lib/oauth/authorize";
import { protocol } from "@/lib/server/protocol";
import { toUrlSearchParams, type PageSearchParams } from "@/lib/web/search-params";
import { currentUser } from "@/lib/web/session";
import { AuthorizationError } from "./authorization-error";
import { ConsentScreen } from "./consent-screen";

export const metadata: Metadata = { title: "Authorize" };

export default async function AuthorizePage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  const query = toUrlSearchParams(await searchParams);
  const ctx = protocol();
  const validation = await validateAuthorizationRequest(ctx, query);
  if (!validation.ok) {
    if ("redirect" in validation) redirect(validation.redirect);
    return <AuthorizationError error={validation.show} />;
  }
  const { request } = validation;
  const user = await currentUser();
  const decision = await decide(ctx, request, user ? { id: user.id, authTime: user.authTime } : null);
  switch (decision.kind) {
    case "redirect":
      redirect(decision.location);
    case "sign-in": {
      const callbackUrl = encodeURIComponent(`/oauth/authorize?${returnAfterSignIn(query)}`);
      redirect(`/login?callbackUrl=${callbackUrl}${decision.reauthenticate ? "&switch=1" : ""}`);
    }
    case "approve":
      redirect(await approve(ctx, request, { id: user!.id, authTime: user!.authTime }, { consented: false }));
    case "consent":
      return (
        <ConsentScreen
          query={query.toString()}
          user={{ id: user!.id, email: user!.email, name: user!.name }}
          client={request.client}
          scopes={request.scopes.map((name) => ({ name, description: ctx.config.scopes[name]?.description ?? name }))}
        />
      );
  }
}
