import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { passwordRules } from "@/lib/auth/password";
import { requireUser } from "@/lib/web/session";
import { PasswordForm } from "./password-form";

export const metadata: Metadata = { title: "Change password" };

export default async function PasswordPage() {
  const user = await requireUser("/account/password");
  return (
    <>
      <PageHeader
        title="Change password"
        description="After the change you are signed out everywhere, including here, and apps you connected must sign you in again. Sign in with the new password."
      />
      <div className="max-w-md rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
        <PasswordForm email={user.email} minLength={passwordRules.minLength} />
      </div>
    </>
  );
}
