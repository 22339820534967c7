"use client";

import Link from "next/link";
import { useActionState } from "react";
import { buttonStyles } from "@/components/ui/button";
import { describedBy, FieldError, FieldHelp, fieldIds, TextField } from "@/components/ui/field";
import { grantTypeInfo, grantTypes } from "@/lib/oauth/grant-types";
import type { ApplicationFormState } from "../actions";
import type { ApplicationFormValues } from "../form-values";
import { IssuedCredentials } from "./issued-credentials";

interface Props {
  action: (state: ApplicationFormState, form: FormData) => Promise<ApplicationFormState>;
  initial: ApplicationFormValues;
  scopes: { name: string; description: string }[];
  defaults: { accessTokenLifetime: number; refreshTokenLifetime: number };
  submitLabel: string;
  cancelHref: string;
}

function Fieldset({
  name,
  legend,
  help,
  errors,
  children,
}: {
  name: string;
  legend: string;
  help?: string;
  errors?: string[];
  children: React.ReactNode;
}) {
  return (
    <fieldset
      aria-describedby={describedBy(name, Boolean(help), errors)}
      aria-invalid={errors?.length ? true : undefined}
    >
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      <FieldHelp name={name}>{help}</FieldHelp>
      <div className="mt-2 space-y-2">{children}</div>
      <FieldError name={name} errors={errors} />
    </fieldset>
  );
}

function Check({
  name,
  value,
  label,
  help,
  defaultChecked,
  errorId,
}: {
  name: string;
  value?: string;
  label: React.ReactNode;
  help?: string;
  defaultChecked: boolean;
  /** The id of an error message about this box, when there is one. */
  errorId?: string;
}) {
  const id = `${fieldIds(name).input}-${value ?? "on"}`.replace(/[^\w-]/g, "_");
  return (
    <div className="flex gap-3">
      <input
        id={id}
        type="checkbox"
        name={name}
        value={value ?? "on"}
        defaultChecked={defaultChecked}
        aria-describedby={[help ? `${id}-help` : null, errorId ?? null].filter(Boolean).join(" ") || undefined}
        aria-invalid={errorId ? true : undefined}
        className="mt-0.5 size-4 shrink-0 rounded border-slate-400 accent-indigo-700"
      />
      <div>
        <label htmlFor={id} className="text-sm font-medium text-slate-900">
          {label}
        </label>
        {help ? (
          <p id={`${id}-help`} className="text-sm text-slate-600">
            {help}
          </p>
        ) : null}
      </div>
    </div>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
      <h2 className="text-base font-semibold text-slate-900">{title}</h2>
      <div className="mt-4 space-y-5">{children}</div>
    </section>
  );
}

export function ApplicationForm({ action, initial, scopes, defaults, submitLabel, cancelHref }: Props) {
  const [state, formAction, pending] = useActionState(action, {});
  if (state.issued) return <IssuedCredentials {...state.issued} />;
  const values = state.values ?? initial;
  const errors = state.errors ?? {};
  const errorCount = Object.values(errors).reduce((sum, list) => sum + (list?.length ?? 0), 0);
  return (
    // Remount with the submitted values after a failed save: React resets a form once its action ends.
    <form action={formAction} key={JSON.stringify(values)} className="space-y-6" noValidate>
      {errorCount > 0 ? (
        <div
          role="alert"
          data-testid="form-errors"
          className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800"
        >
          {errors.form?.length
            ? errors.form.join(" ")
            : `Please fix ${errorCount === 1 ? "the problem" : `the ${errorCount} problems`} below.`}
        </div>
      ) : null}

      <Section title="Application">
        <TextField
          name="name"
          label="Name"
          required
          defaultValue={values.name}
          errors={errors.name}
          help="Shown to users on the consent screen."
        />
        <Fieldset name="clientType" legend="Client type" errors={errors.clientType}>
          {[
            ["confidential", "Confidential", "Runs on a server and can keep a secret (web back ends, services)."],
            ["public", "Public", "Cannot keep a secret (single-page, mobile and desktop apps). Always uses PKCE."],
          ].map(([value, label, help]) => (
            <div key={value} className="flex gap-3">
              <input
                id={`clientType-${value}`}
                type="radio"
                name="clientType"
                value={value}
                defaultChecked={values.clientType === value}
                aria-describedby={`clientType-${value}-help`}
                className="mt-0.5 size-4 accent-indigo-700"
              />
              <div>
                <label htmlFor={`clientType-${value}`} className="text-sm font-medium">
                  {label}
                </label>
                <p id={`clientType-${value}-help`} className="text-sm text-slate-600">
                  {help}
                </p>
              </div>
            </div>
          ))}
        </Fieldset>
        <Fieldset
          name="grantTypes"
          legend="Grant types"
          help="Choose every flow this application uses."
          errors={errors.grantTypes}
        >
          {grantTypes.map((grant) => (
            <Check
              key={grant}
              name="grantTypes"
              value={grant}
              defaultChecked={values.grantTypes.includes(grant)}
              label={
                <>
                  {grantTypeInfo[grant].label}
                  {grantTypeInfo[grant].legacy ? (
                    <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900">
                      legacy
                    </span>
                  ) : null}
                </>
              }
              help={grantTypeInfo[grant].help}
            />
          ))}
        </Fieldset>
      </Section>

      <Section title="Redirects and origins">
        <TextField
          name="redirectUris"
          label="Redirect URIs"
          multiline
          defaultValue={values.redirectUris}
          errors={errors.redirectUris}
          placeholder="https://app.example.com/callback"
          help="One per line. Matched exactly. https, or http on 127.0.0.1, [::1] or localhost; native apps may use com.example.app:/callback."
        />
        <TextField
          name="postLogoutRedirectUris"
          label="Post-logout redirect URIs"
          multiline
          defaultValue={values.postLogoutRedirectUris}
          errors={errors.postLogoutRedirectUris}
          help="One per line. Where users may be sent after signing out through this app."
        />
        <TextField
          name="allowedOrigins"
          label="Allowed CORS origins"
          multiline
          defaultValue={values.allowedOrigins}
          errors={errors.allowedOrigins}
          placeholder="https://app.example.com"
          help="One per line: scheme, host and port only. Browsers on these origins may call the token, revoke, introspection and userinfo endpoints."
        />
      </Section>

      <Section title="Security">
        <Check
          name="skipAuthorization"
          defaultChecked={values.skipAuthorization}
          label="Trusted: skip the consent screen"
          help="Only for first-party apps. Users are never asked to approve a trusted app."
        />
        <Check
          name="pkceRequired"
          defaultChecked={values.pkceRequired}
          label="Require PKCE"
          help="Always enforced for public clients. Keep it on unless a confidential client cannot send a code challenge."
        />
        <div>
          <label htmlFor={fieldIds("algorithm").input} className="block text-sm font-medium text-slate-800">
            ID token signing algorithm
          </label>
          <select
            id={fieldIds("algorithm").input}
            name="algorithm"
            defaultValue={values.algorithm || "none"}
            aria-describedby={describedBy("algorithm", true, errors.algorithm)}
            className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm sm:w-64"
          >
            <option value="none">None (no OpenID Connect)</option>
            <option value="RS256">RS256</option>
          </select>
          <FieldHelp name="algorithm">
            RS256 enables OpenID Connect: ID tokens signed with the server&apos;s key.
          </FieldHelp>
          <FieldError name="algorithm" errors={errors.algorithm} />
        </div>
        <Fieldset
          name="allowedScopes"
          legend="Allowed scopes"
          help="Leave all unticked to allow every scope the server offers."
          errors={errors.allowedScopes}
        >
          <div className="grid gap-2 sm:grid-cols-2">
            {[
              ...scopes,
              // Scopes the app holds that the server no longer offers stay visible, so saving the
              // form never drops them unseen (an empty list would mean "every scope").
              ...values.allowedScopes
                .filter((name) => !scopes.some((scope) => scope.name === name))
                .map((name) => ({
                  name,
                  description: "Not offered by this server any more (PORTCULLIS_SCOPES): untick it to save.",
                })),
            ].map((scope) => (
              <Check
                key={scope.name}
                name="allowedScopes"
                value={scope.name}
                defaultChecked={values.allowedScopes.includes(scope.name)}
                label={<code className="font-mono">{scope.name}</code>}
                help={scope.description}
              />
            ))}
          </div>
        </Fieldset>
        <Check
          name="introspectAnyToken"
          defaultChecked={values.introspectAnyToken}
          label="May introspect any token"
          help="For resource servers: lets this client introspect tokens issued to other applications. Confidential clients only."
          errorId={errors.introspectAnyToken?.length ? fieldIds("introspectAnyToken").error : undefined}
        />
        <FieldError name="introspectAnyToken" errors={errors.introspectAnyToken} />
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField
            name="accessTokenLifetime"
            label="Access token lifetime (seconds)"
            type="number"
            inputMode="numeric"
            defaultValue={values.accessTokenLifetime}
            errors={errors.accessTokenLifetime}
            placeholder={String(defaults.accessTokenLifetime)}
            help={`Empty: the server default (${defaults.accessTokenLifetime} s).`}
          />
          <TextField
            name="refreshTokenLifetime"
            label="Refresh token lifetime (seconds)"
            type="number"
            inputMode="numeric"
            defaultValue={values.refreshTokenLifetime}
            errors={errors.refreshTokenLifetime}
            placeholder={String(defaults.refreshTokenLifetime)}
            help={`Empty: the server default (${defaults.refreshTokenLifetime} s).`}
          />
        </div>
      </Section>

      <Section title="Consent screen branding (optional)">
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField name="logoUri" label="Logo URL" type="url" defaultValue={values.logoUri} errors={errors.logoUri} />
          <TextField
            name="homepageUri"
            label="Homepage URL"
            type="url"
            defaultValue={values.homepageUri}
            errors={errors.homepageUri}
          />
          <TextField
            name="policyUri"
            label="Privacy policy URL"
            type="url"
            defaultValue={values.policyUri}
            errors={errors.policyUri}
          />
          <TextField
            name="tosUri"
            label="Terms of service URL"
            type="url"
            defaultValue={values.tosUri}
            errors={errors.tosUri}
          />
        </div>
      </Section>

      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Link href={cancelHref} className={buttonStyles.secondary}>
          Cancel
        </Link>
        <button type="submit" className={buttonStyles.primary} disabled={pending}>
          {pending ? "Saving…" : submitLabel}
        </button>
      </div>
    </form>
  );
}
