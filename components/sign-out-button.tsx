import { signOutAction } from "@/lib/web/sign-out-action";
import { buttonStyles } from "./ui/button";

/** Ends the session on the server (a copy of the cookie stops working too), then shows the sign-in page. */
export function SignOutButton() {
  return (
    <form action={signOutAction}>
      <button type="submit" className={buttonStyles.secondary}>
        Sign out
      </button>
    </form>
  );
}
