import { redirect } from "next/navigation";
import { requireAdmin } from "@/lib/web/session";

export default async function AdminHome() {
  await requireAdmin();
  redirect("/admin/applications");
}
