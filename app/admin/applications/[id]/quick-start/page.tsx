import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { CopyableBlock, CopyableValue } from "@/components/ui/copy-button";
import { findApplication } from "@/lib/applications/queries";
import { quickStart } from "@/lib/applications/quick-start";
import { settings } from "@/lib/config/settings";
import { db } from "@/lib/db/client";
import { requireAdmin } from "@/lib/web/session";
import { ApplicationHeader } from "../../_components/application-header";

export const metadata: Metadata = { title: "Quick start" };

export default async function ApplicationQuickStartPage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdmin();
  const { id } = await params;
  const app = await findApplication(db(), id);
  if (!app) notFound();
  const start = quickStart(app, settings().publicUrl);
  return (
    <>
      <ApplicationHeader app={app} tab="Quick start" />
      <div className="space-y-6">
        <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
          <h2 className="text-base font-semibold text-slate-900">Connect {app.name}</h2>
          <p className="mt-1 text-sm text-slate-600">
            Filled with this app&apos;s values.{" "}
            {app.clientType === "confidential"
              ? "The secret is never shown again: the snippets read it from PORTCULLIS_CLIENT_SECRET."
              : "A public client has no secret: it proves itself with PKCE."}
          </p>
          <dl className="mt-4 space-y-4 text-sm">
            <div>
              <dt className="font-medium text-slate-800">Discovery URL</dt>
              <dd className="mt-1">
                <CopyableValue value={start.discoveryUrl} label="discovery URL" testId="quick-start-discovery" />
              </dd>
            </div>
            {start.authorizeUrl ? (
              <div>
                <dt className="font-medium text-slate-800">Authorize URL</dt>
                <dd className="mt-1">
                  <CopyableValue value={start.authorizeUrl} label="authorize URL" testId="quick-start-authorize" />
                  <p className="mt-1 text-slate-600">
                    Replace STATE and CODE_CHALLENGE with a fresh random state and the S256 challenge of your code
                    verifier.
                  </p>
                </dd>
              </div>
            ) : null}
          </dl>
        </section>
        {start.snippets.map((snippet) => (
          <section
            key={snippet.id}
            aria-labelledby={`snippet-${snippet.id}`}
            className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
          >
            <h2 id={`snippet-${snippet.id}`} className="text-base font-semibold text-slate-900">
              {snippet.label}
            </h2>
            <div className="mt-2">
              <CopyableBlock value={snippet.code} label={`${snippet.label} snippet`} testId={`snippet-${snippet.id}`} />
            </div>
          </section>
        ))}
      </div>
    </>
  );
}
