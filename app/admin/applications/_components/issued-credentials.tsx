import Link from "next/link";
import { buttonStyles } from "@/components/ui/button";
import { CopyableValue } from "@/components/ui/copy-button";
import { LeaveWarning } from "@/components/ui/leave-warning";
import type { HandoffReason } from "@/lib/applications/secret-handoff";
import { RotateSecretButton } from "./application-actions";

const headings: Record<HandoffReason, (name: string) => string> = {
  created: (name) => `${name} is ready`,
  rotated: (name) => `New secret for ${name}`,
  updated: (name) => `New secret for ${name}`,
};

/** The one time a client secret is shown (on ../[id]/secret, right after it was issued). */
export function IssuedCredentials({
  applicationId,
  name,
  clientId,
  clientSecret,
  reason = "created",
}: {
  applicationId: string;
  name: string;
  clientId: string;
  clientSecret?: string;
  reason?: HandoffReason;
}) {
  return (
    <section
      aria-labelledby="issued-title"
      className="rounded-lg border border-emerald-200 bg-white p-4 shadow-sm sm:p-6"
    >
      <h2 id="issued-title" className="text-lg font-semibold text-slate-900">
        {headings[reason](name)}
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
          <strong>Copy the secret now: it won&apos;t be shown again</strong>, not even if you reload this page. Only a
          hash of it is stored. If it is lost, rotate it from the application&apos;s page.
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

/** The secret screen once the secret has been shown (a reload, a visit from history, a later visit). */
export function SecretShownAlready({
  applicationId,
  name,
  hint,
}: {
  applicationId: string;
  name: string;
  hint: string | null;
}) {
  return (
    <section
      aria-labelledby="shown-title"
      data-testid="secret-shown-already"
      className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
    >
      <h2 id="shown-title" className="text-lg font-semibold text-slate-900">
        The client secret of {name} was shown already
      </h2>
      <p className="mt-2 text-sm text-slate-700">
        A secret is shown once, right after it is issued, and only to the admin who issued it; only a hash of it is
        stored
        {hint ? (
          <>
            {" "}
            (it ends in <code className="font-mono">…{hint}</code>)
          </>
        ) : null}
        . If it was not copied, rotate it: a new one is shown once, and the current one stops working.
      </p>
      <div className="mt-4 flex flex-col gap-3 sm:flex-row sm:items-start">
        <RotateSecretButton id={applicationId} name={name} />
        <Link href={`/admin/applications/${applicationId}`} className={buttonStyles.secondary}>
          Go to {name}
        </Link>
      </div>
    </section>
  );
}
