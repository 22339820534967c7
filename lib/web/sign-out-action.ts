"use server";

import { redirect } from "next/navigation";
import { endSession } from "./sign-out.ts";

/** The Sign out button: a plain form POST, so it works without JavaScript too. */
export async function signOutAction(): Promise<void> {
  await endSession();
  redirect("/login");
}
