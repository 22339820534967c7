import Link from "next/link";
import type { ReactNode } from "react";
import { CopyableBlock, CopyableValue } from "@/components/ui/copy-button";
import type { DecodedIdToken, UserinfoOutcome } from "@/lib/try-it/client";

type Json = Record<string, unknown>;

const tokenFields = [
  ["access_token", "Access token"],
  ["refresh_token", "Refresh token"],
  ["id_token", "ID token"],
] as const;

const timeClaims = ["iat", "exp", "auth_time", "nbf"] as const;

export function ResultSection({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <h2 id={id} className="text-base font-semibold text-slate-900">
        {title}
      </h2>
      <div className="mt-3 space-y-3 text-sm">{children}</div>
    </section>
  );
}

/** Says the tokens are real and where to find (and revoke) them. */
export function RealTokensNote({ applicationId }: { applicationId: string }) {
  return (
    <p className="rounded-md border border-indigo-200 bg-indigo-50 p-3 text-sm text-indigo-950">
      These are real tokens, issued to this application like any other: they are listed on its{" "}
      <Link href={`/admin/applications/${applicationId}/tokens`} className="font-medium underline underline-offset-2">
        Tokens &amp; consents
      </Link>{" "}
      tab, where you can revoke them.
    </p>
  );
}

/** The token endpoint's answer as sent, with a copy button for each token. */
export function TokenResponseView({ tokenResponse }: { tokenResponse: Json }) {
  return (
    <ResultSection title="Token response" id="token-response-title">
      <dl className="space-y-3">
        {tokenFields.map(([field, label]) =>
          typeof tokenResponse[field] === "string" ? (
            <div key={field}>
              <dt className="font-medium text-slate-800">{label}</dt>
              <dd className="mt-1">
                <CopyableValue
                  value={tokenResponse[field] as string}
                  label={label.toLowerCase()}
                  testId={`try-it-${field.replace("_", "-")}`}
                />
              </dd>
            </div>
          ) : null,
        )}
      </dl>
      <CopyableBlock
        value={JSON.stringify(tokenResponse, null, 2)}
        label="token response JSON"
        testId="try-it-token-response"
      />
    </ResultSection>
  );
}

function when(seconds: unknown): string | null {
  return typeof seconds === "number" && Number.isFinite(seconds)
    ? `${new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ")} UTC`
    : null;
}

export function IdTokenView({ idToken }: { idToken: DecodedIdToken }) {
  const times = timeClaims.filter((claim) => when(idToken.claims[claim]) !== null);
  return (
    <ResultSection title="ID token" id="id-token-title">
      <p className="flex items-start gap-2 text-emerald-800" data-testid="try-it-signature">
        <svg
          aria-hidden="true"
          viewBox="0 0 16 16"
          className="mt-0.5 size-4 shrink-0"
          fill="none"
          stroke="currentColor"
        >
          <path d="M3 8.5l3 3 7-7" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <span className="[overflow-wrap:anywhere]">
          Signature verified against the JWKS ({idToken.jwksUri}
          {typeof idToken.header.kid === "string" ? `, key ${idToken.header.kid}` : ""}); issuer, audience, expiry and
          nonce checked.
        </span>
      </p>
      <h3 className="font-medium text-slate-800">Header</h3>
      <CopyableBlock
        value={JSON.stringify(idToken.header, null, 2)}
        label="ID token header"
        testId="try-it-id-header"
      />
      <h3 className="font-medium text-slate-800">Claims</h3>
      <CopyableBlock
        value={JSON.stringify(idToken.claims, null, 2)}
        label="ID token claims"
        testId="try-it-id-claims"
      />
      {times.length > 0 ? (
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-slate-700">
          {times.map((claim) => (
            <div key={claim} className="contents">
              <dt className="font-mono">{claim}</dt>
              <dd>{when(idToken.claims[claim])}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </ResultSection>
  );
}

export function UserinfoView({ userinfo }: { userinfo: UserinfoOutcome }) {
  return (
    <ResultSection title="Userinfo response" id="userinfo-title">
      {userinfo.ok ? (
        <CopyableBlock
          value={JSON.stringify(userinfo.claims, null, 2)}
          label="userinfo response"
          testId="try-it-userinfo"
        />
      ) : (
        <p role="alert" className="text-red-700">
          {userinfo.message}
        </p>
      )}
    </ResultSection>
  );
}

/** A refusal, with what to do next. */
export function ProblemNotice({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <div
      role="alert"
      data-testid={testId}
      className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-900"
    >
      <h2 className="font-semibold">{title}</h2>
      <div className="mt-1 space-y-2">{children}</div>
    </div>
  );
}
