import { redirect } from "next/navigation";
import { isDatabaseUnavailable } from "@/lib/database-unavailable";
import { currentUser, type CurrentUser } from "@/lib/web/session";

/**
 * The signed-in user of a device page; anyone else signs in and comes back to `returnTo`. With the
 * database out of reach, "unavailable": the page then says so rather than failing.
 */
export async function deviceUser(returnTo: string): Promise<CurrentUser | "unavailable"> {
  let user: CurrentUser | null;
  try {
    user = await currentUser();
  } catch (error) {
    if (isDatabaseUnavailable(error)) return "unavailable";
    throw error;
  }
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(returnTo)}`);
  return user;
}
