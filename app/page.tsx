import { redirect } from "next/navigation";
import { currentUser } from "@/lib/web/session";

export default async function Home() {
  const user = await currentUser();
  redirect(!user ? "/login" : user.role === "ADMIN" ? "/admin" : "/account");
}
