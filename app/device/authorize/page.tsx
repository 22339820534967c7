import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { describeConsentScopes } from "@/lib/access/queries";
import { ConsentScreen } from "@/components/consent/consent-screen";
import { decideDevice, findDeviceRequest } from "@/lib/oauth/device-verification";
import { clientIp } from "@/lib/request-ip";
import { protocol } from "@/lib/server/protocol";
import { toUrlSearchParams, type PageSearchParams } from "@/lib/web/search-params";
import { ServiceUnavailable } from "@/components/service-unavailable";
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { devicePath, deviceDonePath, doneOutcome } from "../_components/paths";
import { deviceUser } from "../_components/signed-in";

export const metadata: Metadata = { title: "Authorize a device" };

/**
 * The request whose code the user entered: the code flow's consent screen, unless the application
 * is trusted, consent is remembered or the policy decides (lib/oauth/device-verification.ts).
 */
export default async function DeviceAuthorizePage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  const id = (toUrlSearchParams(await searchParams).get("request") ?? "").slice(0, 64);
  // Someone else signing in would have to enter the code again: it is bound to who entered it.
  const user = await deviceUser(devicePath());
  const unavailable = <ServiceUnavailable retryHref={`/device/authorize?${new URLSearchParams({ request: id })}`} />;
  if (user === "unavailable") return unavailable;
  const ctx = protocol();
  let found: Awaited<ReturnType<typeof findDeviceRequest>>;
  let decision: Awaited<ReturnType<typeof decideDevice>> | undefined;
  try {
    found = await findDeviceRequest(ctx, id, user);
    if (found.ok) decision = await decideDevice(ctx, found.request, user, clientIp(await headers()));
  } catch (error) {
    if (isDatabaseUnavailable(error)) return unavailable;
    throw error;
  }
  if (!found.ok || !decision) {
    redirect(found.ok || found.problem === "unknown" ? devicePath() : devicePath({ problem: found.problem }));
  }
  const { request } = found;
  switch (decision.kind) {
    case "sign-in":
      redirect(`/login?switch=1&callbackUrl=${encodeURIComponent(devicePath())}`);
    case "refused":
      redirect(deviceDonePath("refused"));
    case "answered": {
      const outcome = doneOutcome(decision.outcome);
      redirect(outcome ? deviceDonePath(outcome) : devicePath());
    }
    case "consent":
      return (
        <ConsentScreen
          action="/device/decision"
          fields={{ request: request.id }}
          returnTo={devicePath()}
          user={{ id: user.id, email: user.email, name: user.name }}
          client={request.client}
          scopes={describeConsentScopes(request.scopes, await ctx.scopes.read(), decision.granted)}
        />
      );
  }
}
