import type { Metadata } from "next";
import { scopeCatalogue } from "@/lib/scopes/catalogue";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { buttonStyles } from "@/components/ui/button";
import { CopyableValue } from "@/components/ui/copy-button";
import { findApplication } from "@/lib/applications/queries";
import { db } from "@/lib/db/client";
import { grantTypeInfo, type GrantType } from "@/lib/oauth/grant-types";
import { protocol } from "@/lib/server/protocol";
import { scopeChoices } from "@/lib/try-it/scopes";
import { hasTestCallback, testCallbackUrl } from "@/lib/try-it/test-callback";
import { requireAdmin } from "@/lib/web/session";
import { tryItNotice } from "@/app/admin/try-it/notices";
import { redirectUriProblem } from "@/lib/oauth/redirect-uri";
import { ApplicationHeader } from "../../_components/application-header";
import { versionField } from "@/lib/web/version-fields";
import { addTestCallbackAction, clientCredentialsAction, removeTestCallbackAction } from "./actions";
import { ClientCredentialsForm } from "./client-credentials-form";
import { ScopeCheckboxes } from "./scope-checkboxes";

export const metadata: Metadata = { title: "Try it" };

function Card({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section
      id={id}
      aria-labelledby={`${id}-title`}
      className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6"
    >
      <h2 id={`${id}-title`} className="text-base font-semibold text-slate-900">
        {title}
      </h2>
      <div className="mt-3 space-y-4 text-sm text-slate-700">{children}</div>
    </section>
  );
}

/** What Try it does not run, by grant. */
const notTried: Partial<Record<GrantType, ReactNode>> = {
  "urn:ietf:params:oauth:grant-type:device_code": (
    <>
      the device flow runs on the device, which polls the token endpoint while a user approves at /device: the Quick
      start shows how
    </>
  ),
  password: <>the legacy password grant sends a user&apos;s password through the app: Try it does not ask for one</>,
  refresh_token: <>refresh tokens come with the code flow&apos;s tokens; exchange one with the app&apos;s own client</>,
};

export default async function ApplicationTryItPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ notice?: string | string[] }>;
}) {
  await requireAdmin();
  const { id } = await params;
  const app = await findApplication(db(), id);
  if (!app) notFound();
  const server = protocol().config;
  const notice = tryItNotice((await searchParams).notice);
  const callback = testCallbackUrl(server.issuer);
  // A public URL on plain http off loopback gives a callback no app may register.
  const unregistrable = redirectUriProblem(callback);
  const registered = hasTestCallback(app, server.issuer);
  const catalogue = await scopeCatalogue(db()).read();
  const choices = scopeChoices(app, catalogue);
  const describe = (names: string[]) =>
    names.map((name) => ({ name, description: catalogue[name]?.description ?? "" }));
  const codeFlow = app.grantTypes.includes("authorization_code");
  const clientCredentials = app.grantTypes.includes("client_credentials");
  const confidential = app.clientType === "confidential";
  const others = app.grantTypes.filter((grant): grant is GrantType => grant in notTried);
  const versionFields = (
    <>
      <input type="hidden" name="application" value={app.id} />
      <input type="hidden" name={versionField} value={app.updatedAt.toISOString()} />
    </>
  );
  return (
    <>
      <ApplicationHeader app={app} tab="Try it" />
      <div className="space-y-6">
        <p className="text-sm text-slate-700">
          Run this application&apos;s flows against this server, as the application would. Tokens you get here are real:
          they are issued to {app.name} and listed on its{" "}
          <Link href={`/admin/applications/${app.id}/tokens`} className="font-medium text-indigo-700 underline">
            Tokens &amp; consents
          </Link>{" "}
          tab, where you can revoke them.
        </p>
        {notice ? (
          <p
            role={notice.tone === "error" ? "alert" : "status"}
            data-testid="try-it-notice"
            className={`rounded-md border p-3 text-sm ${
              notice.tone === "error"
                ? "border-red-200 bg-red-50 text-red-900"
                : "border-emerald-200 bg-emerald-50 text-emerald-900"
            }`}
          >
            {notice.text}
          </p>
        ) : null}

        {codeFlow ? (
          <Card id="code-flow" title="Sign in: authorization code with PKCE">
            <p>
              Opens this server&apos;s authorization endpoint in a new tab as {app.name} would, with PKCE (S256), a
              state and, for OpenID Connect, a nonce kept in your browser. You sign in and answer the consent screen as
              yourself; the test callback on this server receives the code, exchanges it at the token endpoint
              {confidential ? " (with the client secret, which you paste there)" : ""}, and shows the token response,
              the decoded ID token and the userinfo response.
            </p>
            <div>
              <p className="font-medium text-slate-800">Test callback</p>
              <div className="mt-1">
                <CopyableValue value={callback} label="test callback URL" testId="try-it-callback-url" />
              </div>
            </div>
            {registered ? (
              <>
                <div className="flex flex-wrap items-center gap-3">
                  <p data-testid="try-it-callback-registered">
                    The test callback is one of this app&apos;s redirect URIs.
                  </p>
                  <form action={removeTestCallbackAction}>
                    {versionFields}
                    <button type="submit" className={buttonStyles.secondary}>
                      Remove the test callback
                    </button>
                  </form>
                </div>
                <form method="post" action="/admin/try-it/start" target="_blank" className="space-y-4">
                  <input type="hidden" name="application" value={app.id} />
                  <ScopeCheckboxes
                    idPrefix="code-flow"
                    scopes={describe(choices.codeFlow)}
                    checked={choices.codeFlowDefaults}
                  />
                  <div className="flex items-start gap-2">
                    <input
                      type="checkbox"
                      id="try-it-prompt"
                      name="prompt"
                      value="consent"
                      defaultChecked
                      className="mt-0.5 size-4 rounded border-slate-400"
                    />
                    <label htmlFor="try-it-prompt" className="text-slate-800">
                      Show the consent screen even if you allowed this app before (<code>prompt=consent</code>)
                      {app.skipAuthorization ? ". This app is trusted: it never shows one." : ""}
                    </label>
                  </div>
                  <button type="submit" className={buttonStyles.primary}>
                    Sign in with {app.name}
                    <span className="sr-only"> (opens in a new tab)</span>
                    <svg aria-hidden="true" viewBox="0 0 16 16" className="size-3.5" fill="none" stroke="currentColor">
                      <path
                        d="M9 2.5h4.5V7M13.5 2.5 7 9M6 3.5H3.5a1 1 0 0 0-1 1v8a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1V10"
                        strokeWidth="1.5"
                        strokeLinecap="round"
                        strokeLinejoin="round"
                      />
                    </svg>
                  </button>
                </form>
              </>
            ) : unregistrable ? (
              <p className="rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-950">
                The test callback cannot be registered: it {unregistrable}. Its address comes from this server&apos;s
                public URL (PORTCULLIS_URL), which must be https unless it is a loopback address.
              </p>
            ) : (
              <div
                className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-amber-950"
                data-testid="try-it-callback-missing"
              >
                <p>
                  This app&apos;s redirect URIs do not include the test callback, so the authorization endpoint would
                  refuse to send the code there. Add it to try the sign-in; the change is recorded in History, and you
                  can remove it here when you are done.
                </p>
                <form action={addTestCallbackAction}>
                  {versionFields}
                  <button type="submit" className={buttonStyles.primary}>
                    Add the test callback
                  </button>
                </form>
              </div>
            )}
          </Card>
        ) : null}

        {clientCredentials ? (
          <Card id="client-credentials" title="Client credentials">
            {confidential ? (
              <>
                <p>Asks the token endpoint for a token for {app.name} itself, with no user, as the app would.</p>
                <ClientCredentialsForm
                  action={clientCredentialsAction.bind(null, app.id)}
                  applicationId={app.id}
                  scopes={describe(choices.clientCredentials)}
                />
              </>
            ) : (
              <p>Only confidential apps may use client credentials: this public app cannot ask for such a token.</p>
            )}
          </Card>
        ) : null}

        {!codeFlow && !clientCredentials ? (
          <Card id="nothing-to-try" title="Nothing Try it can run for this app">
            <p>
              Try it runs the authorization code flow and client credentials, and {app.name} uses neither. Its grants:{" "}
              {app.grantTypes.map((grant) => grantTypeInfo[grant as GrantType]?.label ?? grant).join(", ") || "none"}.
            </p>
          </Card>
        ) : null}
        {others.length > 0 ? (
          <Card id="not-tried" title="Not covered here">
            <ul className="list-disc space-y-1 pl-5">
              {others.map((grant) => (
                <li key={grant}>
                  <span className="font-medium text-slate-800">{grantTypeInfo[grant].label}</span>: {notTried[grant]}.
                </li>
              ))}
            </ul>
            {others.includes("urn:ietf:params:oauth:grant-type:device_code") ? (
              <p>
                <Link
                  href={`/admin/applications/${app.id}/quick-start`}
                  className="font-medium text-indigo-700 underline"
                >
                  Open the Quick start
                </Link>
              </p>
            ) : null}
          </Card>
        ) : null}
      </div>
    </>
  );
}
