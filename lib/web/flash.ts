/** A one-time message for the next page (shown as a toast by components/ui/toaster.tsx). */
import { cookies } from "next/headers";
import { flashCookie } from "./flash-cookie.ts";

export async function flash(message: string, tone: "success" | "error" = "success"): Promise<void> {
  // Next percent-encodes cookie values itself; the toaster decodes them once.
  (await cookies()).set(flashCookie, JSON.stringify({ message, tone }), {
    path: "/",
    maxAge: 30,
    sameSite: "lax",
    // Read and cleared by the client: it holds only a sentence for a toast, never data.
    httpOnly: false,
  });
}
