import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { passwordRules } from "@/lib/auth/password";
import { requireAdmin } from "@/lib/web/session";
import { CreateUserForm } from "../_components/create-user-form";

export const metadata: Metadata = { title: "New user" };

export default async function NewUserPage() {
  await requireAdmin("/admin/users/new");
  return (
    <>
      <PageHeader
        title="New user"
        description="The person signs in with this email and password, and can change the password from their account page."
      />
      <div className="max-w-xl rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
        <CreateUserForm minLength={passwordRules.minLength} />
      </div>
    </>
  );
}
