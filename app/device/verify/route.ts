/**
 * The code entry form's answer (a plain form POST): the code is checked, with the limit on wrong
 * entries (lib/oauth/device-verification.ts), and the user goes on to the request's consent step
 * or back to the form with the reason.
 */
import { enterUserCode } from "@/lib/oauth/device-verification";
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { clientIp } from "@/lib/request-ip";
import { protocol } from "@/lib/server/protocol";
import { fromThisSite, readFormPost, refuse, seeOther, siteUrl } from "@/lib/web/form-post";
import { currentUser } from "@/lib/web/session";
import { deviceAuthorizePath, devicePath } from "../_components/paths";

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
  if (!fromThisSite(request)) return refuse(403, "This code did not come from the device page.");
  const form = await readFormPost(request);
  const input = form?.get("user_code");
  if (!form || input === null || input === undefined) return refuse(400, "Bad request: expected the device code form.");
  const user = await currentUser();
  if (!user) {
    return seeOther(siteUrl(`/login?callbackUrl=${encodeURIComponent(devicePath({ userCode: input }))}`));
  }
  const entry = await enterUserCode(protocol(), input, user, clientIp(request.headers));
  if (entry.ok) return seeOther(siteUrl(deviceAuthorizePath(entry.requestId)));
  // A mistyped code is shown again to be corrected; the others start over.
  const keep = entry.problem === "malformed" || entry.problem === "unknown";
  return seeOther(
    siteUrl(
      devicePath({
        userCode: keep ? input : undefined,
        problem: entry.problem,
        retryAfterSeconds: entry.problem === "throttled" ? entry.retryAfterSeconds : undefined,
      }),
    ),
  );
}
