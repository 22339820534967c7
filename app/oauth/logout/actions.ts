"use server";

import { redirect } from "next/navigation";
import { validateLogoutRequest } from "@/lib/oauth/logout";
import { protocol } from "@/lib/server/protocol";
import { formAction } from "@/lib/web/actions";
import { endSession } from "@/lib/web/sign-out";

export const confirmLogout = formAction(
  () => redirect("/oauth/logout"),
  async (form: FormData): Promise<void> => {
    const query = String(form.get("query") ?? "");
    await endSession();
    const { returnTo } = await validateLogoutRequest(protocol(), new URLSearchParams(query));
    redirect(returnTo ?? "/oauth/logout?done=1");
  },
);
