"use client";

import Link from "next/link";
import { useActionState, useEffect, useRef } from "react";
import { buttonStyles } from "@/components/ui/button";
import { describedBy, FieldError, FieldHelp, fieldIds, TextField } from "@/components/ui/field";
import { formSections, type FormSection } from "@/lib/applications/form-layout";
import type { ApplicationFormValues, FormFieldView, FormValue } from "@/lib/applications/form-values";
import type { FieldErrors } from "@/lib/applications/schema";
import { grantTypeInfo, grantTypes } from "@/lib/oauth/grant-types";
import type { ApplicationFormState, EditedVersion } from "../actions";
import { EditConflict, VersionFields } from "@/components/ui/edit-conflict";

interface Props {
  action: (state: ApplicationFormState, form: FormData) => Promise<ApplicationFormState>;
  initial: ApplicationFormValues;
  scopes: { name: string; description: string }[];
  fields: FormFieldView[];
  submitLabel: string;
  cancelHref: string;
}

const text = (value: FormValue | undefined) => (typeof value === "string" ? value : "");
const items = (value: FormValue | undefined) => (Array.isArray(value) ? value : []);

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

/** One field, drawn by its control from its definition. */
function Field({
  entry,
  value,
  errors,
  scopes,
}: {
  entry: FormFieldView;
  value: FormValue | undefined;
  errors: FieldErrors;
  scopes: Props["scopes"];
}) {
  const { key, label, control, help } = entry;
  const fieldErrors = errors[key];
  switch (control.kind) {
    case "text":
    case "lines":
    case "longText":
      return (
        <TextField
          name={key}
          label={label}
          multiline={control.kind !== "text"}
          type={control.kind === "text" ? (control.type === "duration" ? "text" : control.type) : undefined}
          inputMode={control.kind === "text" && control.type === "number" ? "numeric" : undefined}
          required={control.kind === "text" ? control.required : undefined}
          placeholder={control.kind === "longText" ? undefined : control.placeholder}
          defaultValue={text(value)}
          errors={fieldErrors}
          help={help}
        />
      );
    case "checkbox":
      return (
        <div>
          <Check
            name={key}
            defaultChecked={value === true}
            label={entry.checkboxLabel ?? label}
            help={help}
            errorId={fieldErrors?.length ? fieldIds(key).error : undefined}
          />
          <FieldError name={key} errors={fieldErrors} />
        </div>
      );
    case "choice":
      if (control.style === "select") {
        return (
          <div>
            <label htmlFor={fieldIds(key).input} className="block text-sm font-medium text-slate-800">
              {label}
            </label>
            <select
              id={fieldIds(key).input}
              name={key}
              defaultValue={text(value)}
              aria-describedby={describedBy(key, Boolean(help), fieldErrors)}
              aria-invalid={fieldErrors?.length ? true : undefined}
              className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm sm:w-64"
            >
              {text(value) === "" ? <option value="">Choose…</option> : null}
              {control.options.map((option) => (
                <option key={option.value} value={option.value}>
                  {option.label}
                </option>
              ))}
            </select>
            <FieldHelp name={key}>{help}</FieldHelp>
            <FieldError name={key} errors={fieldErrors} />
          </div>
        );
      }
      return (
        <Fieldset name={key} legend={label} help={help} errors={fieldErrors}>
          {control.options.map((option) => (
            <div key={option.value} className="flex gap-3">
              <input
                id={`${key}-${option.value}`}
                type="radio"
                name={key}
                value={option.value}
                defaultChecked={value === option.value}
                aria-describedby={option.help ? `${key}-${option.value}-help` : undefined}
                className="mt-0.5 size-4 accent-indigo-700"
              />
              <div>
                <label htmlFor={`${key}-${option.value}`} className="text-sm font-medium">
                  {option.label}
                </label>
                {option.help ? (
                  <p id={`${key}-${option.value}-help`} className="text-sm text-slate-600">
                    {option.help}
                  </p>
                ) : null}
              </div>
            </div>
          ))}
        </Fieldset>
      );
    case "choices":
      if (Array.isArray(control.options)) {
        return (
          <Fieldset name={key} legend={label} help={help} errors={fieldErrors}>
            {(control.options as readonly { value: string; label: string }[]).map((option) => (
              <Check
                key={option.value}
                name={key}
                value={option.value}
                defaultChecked={items(value).includes(option.value)}
                label={option.label}
              />
            ))}
          </Fieldset>
        );
      }
      if (control.options === "grantTypes") {
        return (
          <Fieldset name={key} legend={label} help={help} errors={fieldErrors}>
            {grantTypes.map((grant) => (
              <Check
                key={grant}
                name={key}
                value={grant}
                defaultChecked={items(value).includes(grant)}
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
        );
      }
      return (
        <Fieldset name={key} legend={label} help={help} errors={fieldErrors}>
          <div className="grid gap-2 sm:grid-cols-2">
            {[
              ...scopes,
              // Scopes the app holds that the server no longer offers stay visible, so saving the
              // form never drops them unseen (an empty list would mean "every scope").
              ...items(value)
                .filter((name) => !scopes.some((scope) => scope.name === name))
                .map((name) => ({
                  name,
                  description: "Not in the scope catalogue any more: untick it to save.",
                })),
            ].map((scope) => (
              <Check
                key={scope.name}
                name={key}
                value={scope.name}
                defaultChecked={items(value).includes(scope.name)}
                label={<code className="font-mono">{scope.name}</code>}
                help={scope.description}
              />
            ))}
          </div>
        </Fieldset>
      );
  }
}

/** A section's fields in their order; consecutive half-width fields share a row on wide screens. */
function SectionFields({
  fields,
  values,
  ...rest
}: { fields: FormFieldView[]; values: ApplicationFormValues } & Omit<Parameters<typeof Field>[0], "entry" | "value">) {
  const groups: FormFieldView[][] = [];
  for (const entry of fields) {
    const half = entry.control.kind === "text" && entry.control.half;
    const last = groups.at(-1);
    const lastHalf = last?.[0]?.control.kind === "text" && last[0].control.half;
    if (half && last && lastHalf) last.push(entry);
    else groups.push([entry]);
  }
  return groups.map((group) =>
    group.length > 1 || (group[0]!.control.kind === "text" && group[0]!.control.half) ? (
      <div key={group[0]!.key} className="grid gap-4 sm:grid-cols-2">
        {group.map((entry) => (
          <div key={entry.key} id={`${fieldIds(entry.key).input}-field`}>
            <Field entry={entry} value={values[entry.key]} {...rest} />
          </div>
        ))}
      </div>
    ) : (
      <div key={group[0]!.key} id={`${fieldIds(group[0]!.key).input}-field`}>
        <Field entry={group[0]!} value={values[group[0]!.key]} {...rest} />
      </div>
    ),
  );
}

function FormProblems({
  errors,
  fields,
  conflict,
  reloadHref,
  summaryRef,
}: {
  errors: FieldErrors;
  fields: FormFieldView[];
  conflict: ApplicationFormState["conflict"];
  reloadHref?: string;
  summaryRef: React.RefObject<HTMLDivElement | null>;
}) {
  const fieldProblems = fields.flatMap((field) =>
    (errors[field.key] ?? []).map((message) => ({ key: field.key, label: field.label, message })),
  );
  const known = new Set(fields.map((field) => field.key));
  const otherProblems = Object.entries(errors)
    .filter(([key]) => !known.has(key))
    .flatMap(([, messages]) => messages ?? []);
  const count = fieldProblems.length + otherProblems.length;
  if (conflict) {
    return (
      <EditConflict
        subject="This application"
        changed={conflict.changed}
        reloadHref={reloadHref}
        summaryRef={summaryRef}
      />
    );
  }
  if (count === 0) return null;
  return (
    <div
      ref={summaryRef}
      tabIndex={-1}
      aria-labelledby="form-problems-title"
      data-testid="form-errors"
      className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800 focus:outline-2 focus:outline-offset-2"
    >
      <h2 id="form-problems-title" className="font-semibold">
        {count === 1 ? "There is a problem" : `There are ${count} problems`}: nothing was saved
      </h2>
      <ul className="mt-2 list-disc space-y-1 pl-5">
        {otherProblems.map((message) => (
          <li key={message}>{message}</li>
        ))}
        {fieldProblems.map(({ key, label, message }) => (
          <li key={`${key}:${message}`}>
            <a
              href={`#${fieldIds(key).input}-field`}
              onClick={(event) => {
                // Follow the link to the control itself: a group of boxes has no single target.
                const control = document
                  .getElementById(`${fieldIds(key).input}-field`)
                  ?.querySelector<HTMLElement>("input:not([type=hidden]), select, textarea");
                if (!control) return;
                event.preventDefault();
                control.focus();
                control.scrollIntoView({ block: "center" });
              }}
              className="font-medium underline"
            >
              {label}: {message}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ApplicationForm({
  action,
  initial,
  edited,
  reloadHref,
  scopes,
  fields,
  submitLabel,
  cancelHref,
}: Props & {
  /** For an edit: the version the form shows, which the save is conditional on. */
  edited?: EditedVersion;
  /** For an edit: this page's address, to start again from what is stored. */
  reloadHref?: string;
}) {
  const [state, formAction, pending] = useActionState(action, {});
  const summaryRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // After a refused save, the page stays where the button was: take the reader to the summary.
    if (state.conflict || state.errors) summaryRef.current?.focus();
  }, [state]);
  const values = state.values ?? initial;
  const errors = state.errors ?? {};
  const version = state.edited ?? edited;
  return (
    // Remount with the submitted values after a failed save: React resets a form once its action ends.
    <form action={formAction} key={JSON.stringify([values, version?.version])} className="space-y-6" noValidate>
      {version ? <VersionFields version={version.version} seen={version.seen} /> : null}
      <FormProblems
        errors={errors}
        fields={fields}
        conflict={state.conflict}
        reloadHref={reloadHref}
        summaryRef={summaryRef}
      />

      {(Object.keys(formSections) as FormSection[]).map((section) => {
        const inSection = fields.filter((field) => field.section === section);
        return inSection.length === 0 ? null : (
          <Section key={section} title={formSections[section]}>
            <SectionFields fields={inSection} values={values} errors={errors} scopes={scopes} />
          </Section>
        );
      })}

      <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
        <Link href={cancelHref} className={buttonStyles.secondary}>
          Cancel
        </Link>
        <button type="submit" className={buttonStyles.primary} disabled={pending}>
          {pending ? "Saving…" : state.conflict ? "Overwrite with my changes" : submitLabel}
        </button>
      </div>
    </form>
  );
}
