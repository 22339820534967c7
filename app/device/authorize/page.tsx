import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { ConsentScreen } from "@/components/consent/consent-screen";
import { decideDevice, findDeviceRequest } from "@/lib/oauth/device-verification";
import { clientIp } from "@/lib/request-ip";
import { protocol } from "@/lib/server/protocol";
import { toUrlSearchParams, type PageSearchParams } from "@/lib/web/search-params";
import { requireUser } from "@/lib/web/session";
import { devicePath, deviceDonePath, doneOutcome } from "../_components/paths";

export const metadata: Metadata = { title: "Authorize a device" };

/**
 * The request whose code the user entered: the code flow's consent screen, unless the application
 * is trusted, consent is remembered or the policy decides (lib/oauth/device-verification.ts).
 */
export default async function DeviceAuthorizePage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  const id = (toUrlSearchParams(await searchParams).get("request") ?? "").slice(0, 64);
  // Someone else signing in would have to enter the code again: it is bound to who entered it.
  const user = await requireUser(devicePath());
  const ctx = protocol();
  const found = await findDeviceRequest(ctx, id, user);
  if (!found.ok) redirect(found.problem === "unknown" ? devicePath() : devicePath({ problem: found.problem }));
  const { request } = found;
  const decision = await decideDevice(ctx, request, user, clientIp(await headers()));
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
          scopes={request.scopes.map((name) => ({ name, description: ctx.config.scopes[name]?.description ?? name }))}
        />
      );
  }
}
