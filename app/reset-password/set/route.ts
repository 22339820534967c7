/**
 * The reset page's answer (a plain form POST, from this site only): the new password is set through
 * the link (lib/users/password-reset.ts) and the user goes to the sign-in page, or back to the form
 * with the reason.
 */
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { db } from "@/lib/db/client";
import { clientIp } from "@/lib/request-ip";
import { resetPasswordWithLink } from "@/lib/users/password-reset";
import { flash } from "@/lib/web/flash";
import { fromThisSite, readFormPost, refuse, seeOther, siteUrl } from "@/lib/web/form-post";
import { resetPagePath } from "../paths";

export async function POST(request: Request): Promise<Response> {
  let token: string | undefined;
  try {
    if (!fromThisSite(request)) return refuse(403, "This form did not come from the password reset page.");
    const form = await readFormPost(request);
    token = form?.get("token") ?? undefined;
    if (!form || token === undefined) return refuse(400, "Bad request: expected the password reset form.");
    const result = await resetPasswordWithLink(
      db(),
      token,
      { password: form.get("password") ?? "", confirmPassword: form.get("confirmPassword") ?? "" },
      clientIp(request.headers),
    );
    if (result.ok) {
      await flash("Your new password is set. Sign in with it.");
      return seeOther(siteUrl("/login"));
    }
    if ("retryAfterSeconds" in result) {
      return seeOther(
        siteUrl(resetPagePath({ token, problem: "throttled", retryAfterSeconds: result.retryAfterSeconds })),
      );
    }
    if ("errors" in result) {
      const problem = result.errors.password ? "password" : "confirm";
      return seeOther(siteUrl(resetPagePath({ token, problem })));
    }
    // The page says what became of the link.
    return seeOther(siteUrl(resetPagePath({ token })));
  } catch (error) {
    // Back to the page, which says the server is unavailable.
    if (isDatabaseUnavailable(error)) return seeOther(siteUrl(resetPagePath({ token })));
    throw error;
  }
}
