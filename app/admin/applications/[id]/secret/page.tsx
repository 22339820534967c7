import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { findApplication } from "@/lib/applications/queries";
import { handoffCipher, takeIssuedSecret } from "@/lib/applications/secret-handoff";
import { keyEncryptionKey } from "@/lib/config/secrets";
import { settings } from "@/lib/config/settings";
import { db } from "@/lib/db/client";
import { isRecordId } from "@/lib/db/record-id";
import { requireAdmin } from "@/lib/web/session";
import { IssuedCredentials, SecretShownAlready } from "../../_components/issued-credentials";

export const metadata: Metadata = { title: "Client secret" };

/**
 * The one-time secret screen (lib/applications/secret-handoff.ts): the first view after the POST
 * that issued a secret takes it and shows it; every later view says it was shown already.
 */
export default async function SecretPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const admin = await requireAdmin(`/admin/applications/${encodeURIComponent(id)}/secret`);
  const app = isRecordId(id) ? await findApplication(db(), id) : null;
  if (!app) notFound();
  const taken =
    app.clientType === "confidential"
      ? await takeIssuedSecret(db(), handoffCipher(keyEncryptionKey(settings())), {
          applicationId: app.id,
          actorId: admin.id,
        })
      : null;
  return (
    <>
      <PageHeader title={app.name} />
      <div className="max-w-2xl">
        {app.clientType === "public" || taken ? (
          <IssuedCredentials
            applicationId={app.id}
            name={app.name}
            clientId={app.clientId}
            clientSecret={taken?.secret}
            reason={taken?.reason}
          />
        ) : (
          <SecretShownAlready applicationId={app.id} name={app.name} hint={app.clientSecretHint} />
        )}
      </div>
    </>
  );
}
