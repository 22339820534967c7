import type { Metadata } from "next";
import { formatDuration } from "@/lib/applications/durations";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { DateTime } from "@/components/date-time";
import { Badge } from "@/components/ui/badge";
import { CopyableValue } from "@/components/ui/copy-button";
import { applicationFieldList, labelOf as label, type ApplicationFieldKey } from "@/lib/applications/fields";
import { customFieldEntries } from "@/lib/applications/custom-fields";
import { findApplication } from "@/lib/applications/queries";
import { securityWarnings, type SecurityWarning } from "@/lib/applications/security-lint";
import { settings } from "@/lib/config/settings";
import { db } from "@/lib/db/client";
import { endpointsFor } from "@/lib/oauth/endpoints";
import { grantTypeInfo } from "@/lib/oauth/grant-types";
import { RotateSecretButton } from "../_components/application-actions";
import { ApplicationHeader } from "../_components/application-header";
import { FieldValue } from "../_components/field-value";
import { TrustSwitch } from "../_components/trust-switch";
import { requireAdmin } from "@/lib/web/session";

export const metadata: Metadata = { title: "Application" };

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="py-3 sm:grid sm:grid-cols-3 sm:gap-4">
      <dt className="text-sm font-medium text-slate-700">{label}</dt>
      <dd className="mt-1 min-w-0 text-sm text-slate-900 sm:col-span-2 sm:mt-0">{children}</dd>
    </div>
  );
}

function List({ items, empty = "None" }: { items: string[]; empty?: string }) {
  if (items.length === 0) return <span className="text-slate-600">{empty}</span>;
  return (
    <ul className="space-y-1">
      {items.map((item) => (
        <li key={item}>
          <code className="font-mono text-sm [overflow-wrap:anywhere]">{item}</code>
        </li>
      ))}
    </ul>
  );
}

function Card({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <h2 className="text-base font-semibold text-slate-900">{title}</h2>
      <div className="mt-2">{children}</div>
    </section>
  );
}

/** Fields this page lays out itself; any other field is listed under them as it is. */
const laidOut = new Set<ApplicationFieldKey>([
  "name",
  "clientType",
  "skipAuthorization",
  "grantTypes",
  "redirectUris",
  "postLogoutRedirectUris",
  "allowedOrigins",
  "allowedScopes",
  "pkceRequired",
  "algorithm",
  "introspectAnyToken",
  "accessTokenLifetime",
  "refreshTokenLifetime",
  "logoUri",
  "homepageUri",
  "policyUri",
  "tosUri",
]);
const otherFields = applicationFieldList.filter((entry) => !laidOut.has(entry.key));
const fieldEntry = (key: ApplicationFieldKey) => applicationFieldList.find((entry) => entry.key === key)!;

const lifetime = (value: number | null, fallback: number) =>
  value === null ? `Server default (${formatDuration(fallback)})` : formatDuration(value);

function SecurityChecks({ warnings }: { warnings: SecurityWarning[] }) {
  if (warnings.length === 0) return null;
  return (
    <section
      aria-labelledby="security-checks-title"
      data-testid="security-checks"
      className="mb-6 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950"
    >
      <h2 id="security-checks-title" className="font-semibold">
        Security checks: {warnings.length === 1 ? "1 warning" : `${warnings.length} warnings`}
      </h2>
      <ul className="mt-2 list-disc space-y-1 pl-5 [overflow-wrap:anywhere]">
        {warnings.map((warning) => (
          <li key={warning.message} data-warning={warning.id}>
            {warning.message}
          </li>
        ))}
      </ul>
    </section>
  );
}

export default async function ApplicationPage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdmin();
  const { id } = await params;
  const app = await findApplication(db(), id);
  if (!app) notFound();
  const config = settings();
  const customFields = customFieldEntries();
  const endpoints = endpointsFor(config.publicUrl);
  return (
    <>
      <ApplicationHeader app={app} tab="Overview" />
      <SecurityChecks warnings={securityWarnings(app, config.lifetimes)} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Credentials">
          <dl className="divide-y divide-slate-200">
            <Row label="Client ID">
              <CopyableValue value={app.clientId} label="client ID" testId="client-id" />
            </Row>
            <Row label="Client secret">
              {app.clientType === "confidential" ? (
                <div className="space-y-2">
                  <p>
                    Ends in{" "}
                    <code className="font-mono" data-testid="secret-hint">
                      …{app.clientSecretHint}
                    </code>
                    {app.clientSecretIssuedAt
                      ? `, issued ${app.clientSecretIssuedAt.toISOString().slice(0, 16).replace("T", " ")} UTC`
                      : ""}
                  </p>
                  <RotateSecretButton id={app.id} name={app.name} />
                </div>
              ) : (
                <span className="text-slate-600">None: public clients use PKCE instead.</span>
              )}
            </Row>
            <Row label={label("skipAuthorization")}>
              <TrustSwitch id={app.id} name={app.name} trusted={app.skipAuthorization} />
            </Row>
          </dl>
        </Card>
        <Card title="Endpoints">
          <dl className="divide-y divide-slate-200">
            {(
              [
                ["Discovery", endpoints.openidConfiguration],
                ["Authorization", endpoints.authorization],
                ["Token", endpoints.token],
                ["Device authorization", endpoints.deviceAuthorization],
                ["Device verification (users enter codes here)", endpoints.deviceVerification],
                ["Revocation", endpoints.revocation],
                ["Introspection", endpoints.introspection],
                ["Userinfo", endpoints.userinfo],
                ["JWKS", endpoints.jwks],
                ["Logout", endpoints.endSession],
              ] as const
            ).map(([label, url]) => (
              <Row key={label} label={label}>
                <CopyableValue value={url} label={`${label} endpoint URL`} testId={`endpoint-${label.toLowerCase()}`} />
              </Row>
            ))}
          </dl>
        </Card>
        <Card title="Configuration">
          <dl className="divide-y divide-slate-200">
            <Row label={label("grantTypes")}>
              <div className="flex flex-wrap gap-1">
                {app.grantTypes.map((grant) => (
                  <Badge key={grant}>{grantTypeInfo[grant]?.label ?? grant}</Badge>
                ))}
              </div>
            </Row>
            <Row label={label("redirectUris")}>
              <List items={app.redirectUris} />
            </Row>
            <Row label={label("postLogoutRedirectUris")}>
              <List items={app.postLogoutRedirectUris} />
            </Row>
            <Row label={label("allowedOrigins")}>
              <List items={app.allowedOrigins} />
            </Row>
            <Row label={label("allowedScopes")}>
              <List items={app.allowedScopes} empty="Every scope the server offers" />
            </Row>
          </dl>
        </Card>
        <Card title="Security and branding">
          <dl className="divide-y divide-slate-200">
            <Row label={label("pkceRequired")}>
              {app.clientType === "public" || app.pkceRequired ? "Required (S256)" : "Optional"}
            </Row>
            <Row label={label("algorithm")}>{app.algorithm === "RS256" ? "RS256 (OpenID Connect)" : "None"}</Row>
            <Row label={label("introspectAnyToken")}>{app.introspectAnyToken ? "Yes" : "No"}</Row>
            <Row label={label("accessTokenLifetime")}>
              {lifetime(app.accessTokenLifetime, config.lifetimes.accessToken)}
            </Row>
            <Row label={label("refreshTokenLifetime")}>
              {lifetime(app.refreshTokenLifetime, config.lifetimes.refreshToken)}
            </Row>
            <Row label="Owner">{app.owner ? app.owner.email : <span className="text-slate-600">None</span>}</Row>
            {(["logoUri", "homepageUri", "policyUri", "tosUri"] as const).map((key) => (
              <Row key={key} label={label(key)}>
                <FieldValue entry={fieldEntry(key)} value={app[key]} />
              </Row>
            ))}
            {otherFields.map((entry) => (
              <Row key={entry.key} label={entry.label}>
                <FieldValue entry={entry} value={app[entry.key]} />
              </Row>
            ))}
            <Row label="Created">
              <DateTime value={app.createdAt} withTime />
            </Row>
            <Row label="Last changed">
              <DateTime value={app.updatedAt} withTime />
            </Row>
          </dl>
        </Card>
        {customFields.length > 0 ? (
          <Card title="More settings">
            <dl className="divide-y divide-slate-200">
              {customFields.map((entry) => (
                <Row key={entry.key} label={entry.label}>
                  <FieldValue
                    entry={entry}
                    value={app.fields[entry.storage.kind === "metadata" ? entry.storage.key : ""]}
                  />
                </Row>
              ))}
            </dl>
          </Card>
        ) : null}
      </div>
    </>
  );
}
