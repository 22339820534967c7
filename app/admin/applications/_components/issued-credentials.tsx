import Link from "next/link";
import { buttonStyles } from "@/components/ui/button";
import { CopyableValue } from "@/components/ui/copy-button";
import { LeaveWarning } from "@/components/ui/leave-warning";

/** The one time a client secret is shown. */
export function IssuedCredentials({
  applicationId,
  name,
  clientId,
  clientSecret,
}: {
  applicationId: string;
  name: string;
  clientId: string;
  clientSecret?: string;
}) {
  return (
    <section
      aria-labelledby="issued-title"
      className="rounded-lg border border-emerald-200 bg-white p-4 shadow-sm sm:p-6"
    >
      <h2 id="issued-title" className="text-lg font-semibold text-slate-900">
        {name} is ready
      </h2>
      <dl className="mt-4 space-y-4">
        <div>
          <dt className="text-sm font-medium text-slate-700">Client ID</dt>
          <dd className="mt-1">
            <CopyableValue value={clientId} label="client ID" testId="issued-client-id" />
          </dd>
        </div>
        {clientSecret ? (
          <div>
            <dt className="text-sm font-medium text-slate-700">Client secret</dt>
            <dd className="mt-1">
              <CopyableValue value={clientSecret} label="client secret" testId="issued-client-secret" />
            </dd>
          </div>
        ) : null}
      </dl>
      {clientSecret ? <LeaveWarning message="The client secret won't be shown again. Leave this page?" /> : null}
      {clientSecret ? (
        <p role="note" className="mt-4 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <strong>Copy the secret now: it won&apos;t be shown again.</strong> Only a hash of it is stored. If it is
          lost, rotate it from the application&apos;s page.
        </p>
      ) : (
        <p className="mt-4 text-sm text-slate-700">Public clients have no secret: they prove themselves with PKCE.</p>
      )}
      <Link href={`/admin/applications/${applicationId}`} data-leave-ok className={`${buttonStyles.primary} mt-6`}>
        Go to {name}
      </Link>
    </section>
  );
}
