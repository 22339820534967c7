"use client";

import { signOut } from "next-auth/react";
import { buttonStyles } from "./ui/button";

export function SignOutButton() {
  return (
    <button type="button" className={buttonStyles.secondary} onClick={() => signOut({ callbackUrl: "/login" })}>
      Sign out
    </button>
  );
}
