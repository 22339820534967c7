import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { settings } from "@/lib/config/settings";
import { db } from "@/lib/db/client";
import { listSessions } from "@/lib/sessions/queries";
import { requireUser } from "@/lib/web/session";
import { SessionList } from "./session-list";

export const metadata: Metadata = { title: "Sessions" };

function duration(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? "1 hour" : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? "1 minute" : `${seconds / 60} minutes`;
  return `${seconds} seconds`;
}

export default async function SessionsPage() {
  const user = await requireUser("/account/sessions");
  const lifetimes = settings().sessions;
  const sessions = await listSessions(db(), user.id, lifetimes);
  return (
    <>
      <PageHeader
        title="Sessions"
        description={`Browsers signed in to your account. A session ends when you sign out, after ${duration(lifetimes.idleTimeout)} without use, or ${duration(lifetimes.maxAge)} after signing in. If you do not recognise one, end it and change your password.`}
      />
      <SessionList sessions={sessions} currentSessionId={user.sessionId} />
    </>
  );
}
