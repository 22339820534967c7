/**
 * Allow or Deny on the device flow's consent screen (a plain form POST). The answer counts only
 * for the user who entered the code and was shown the screen; the device hears it on its next poll.
 */
import { answerDevice, findDeviceRequest } from "@/lib/oauth/device-verification";
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { clientIp } from "@/lib/request-ip";
import { protocol } from "@/lib/server/protocol";
import { fromThisSite, readFormPost, refuse, seeOther, siteUrl } from "@/lib/web/form-post";
import { currentUser } from "@/lib/web/session";
import { deviceDonePath, devicePath, doneOutcome } from "../_components/paths";

export async function POST(request: Request): Promise<Response> {
  try {
    return await answer(request);
  } catch (error) {
    // Back to the page, which says the server is unavailable.
    if (isDatabaseUnavailable(error)) return seeOther(siteUrl(devicePath()));
    throw error;
  }
}

async function answer(request: Request): Promise<Response> {
  if (!fromThisSite(request)) return refuse(403, "This answer did not come from the consent screen.");
  const form = await readFormPost(request);
  const decision = form?.get("decision");
  if (!form || (decision !== "allow" && decision !== "deny")) {
    return refuse(400, "Bad request: expected the consent screen's form.");
  }
  const user = await currentUser();
  // Signed out, or someone else signed in meanwhile: they start again with the code.
  if (!user || user.id !== form.get("user")) return seeOther(siteUrl(devicePath()));
  const ctx = protocol();
  const found = await findDeviceRequest(ctx, (form.get("request") ?? "").slice(0, 64), user);
  if (!found.ok) {
    return seeOther(siteUrl(found.problem === "unknown" ? devicePath() : deviceDonePath(found.problem)));
  }
  const outcome = await answerDevice(ctx, found.request, user, decision, {
    consented: true,
    ip: clientIp(request.headers),
  });
  const done = doneOutcome(outcome);
  return seeOther(siteUrl(done ? deviceDonePath(done) : devicePath()));
}
