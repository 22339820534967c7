import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/page-header";
import { findApplication } from "@/lib/applications/queries";
import { settings } from "@/lib/config/settings";
import { db } from "@/lib/db/client";
import { checkCallback, maxResponseLength, responseFrom } from "@/lib/try-it/callback";
import { requireAdmin } from "@/lib/web/session";
import { currentFlow } from "@/lib/web/try-it-cookie";
import { CodeExchange, type CallbackView } from "./code-exchange";

export const metadata: Metadata = { title: "Try it: callback" };

/**
 * The built-in test callback (lib/try-it/test-callback.ts): where the authorization endpoint sends
 * the admin back with a code. It checks the response against the flow this browser started and
 * offers the exchange; it never exchanges on a GET, so reloading it cannot replay the code.
 */
export default async function TryItCallbackPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const admin = await requireAdmin();
  const response = responseFrom(await searchParams);
  const flow = await currentFlow();
  const check = checkCallback(flow, admin.id, response);
  const application = flow && flow.userId === admin.id ? await findApplication(db(), flow.applicationId) : null;
  const app = application
    ? { id: application.id, name: application.name, confidential: application.clientType === "confidential" }
    : null;
  let view: CallbackView;
  if (response.toString().length > maxResponseLength) {
    view = { kind: "problem", message: "This response is too long to be an authorization response." };
  } else if (!check.ok) view = { kind: "problem", message: check.message };
  else if (check.outcome === "error") view = { kind: "refused", error: check.error, description: check.description };
  else if (!app) view = { kind: "problem", message: "This application no longer exists. Nothing was exchanged." };
  else view = { kind: "code" };
  return (
    <>
      <PageHeader
        title={app ? `Try it: ${app.name}` : "Try it"}
        description="The test callback: the authorization endpoint's answer, as the application would receive it."
      />
      <CodeExchange
        view={view}
        response={response.toString()}
        app={app}
        codeLifetime={settings().lifetimes.authorizationCode}
      />
    </>
  );
}
