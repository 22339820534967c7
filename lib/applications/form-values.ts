/**
 * The application form's fields and values: what it shows and what it posts, derived from the
 * field definitions (fields.ts, and the deployer's custom fields) by each field's control, so a new
 * field needs nothing here.
 */
import type { PortcullisConfig } from "../extensions/define.ts";
import { formatDuration } from "./durations.ts";
import { allFieldEntries, customFieldPrefix } from "./custom-fields.ts";
import type { ApplicationSettings, FieldEntry, FormContext, FormControl, FormSection } from "./fields.ts";

/** A text box or choice posts a string, a checkbox a boolean, a group of checkboxes a list. */
export type FormValue = string | boolean | string[];
/** By field key: a built-in one, or "fields." + a custom field's key. */
export type ApplicationFormValues = Record<string, FormValue>;

/** What the form needs to draw a field: plain data, so it can be handed to the browser. */
export interface FormFieldView {
  key: string;
  label: string;
  checkboxLabel?: string;
  help?: string;
  section: FormSection;
  control: FormControl;
}

export function formFieldViews(context: FormContext, config?: PortcullisConfig): FormFieldView[] {
  return allFieldEntries(config).map((entry) => ({
    key: entry.key,
    label: entry.label,
    ...(entry.checkboxLabel ? { checkboxLabel: entry.checkboxLabel } : {}),
    ...(entry.help ? { help: typeof entry.help === "function" ? entry.help(context) : entry.help } : {}),
    section: entry.section,
    control: entry.control,
  }));
}

function formValueOf(control: FormControl, value: unknown): FormValue {
  switch (control.kind) {
    case "checkbox":
      return value === true;
    case "choices":
      return Array.isArray(value) ? value.map(String) : [];
    case "lines":
      return Array.isArray(value) ? value.join("\n") : "";
    case "text":
      if (control.type === "duration" && typeof value === "number") return formatDuration(value);
      return value === null || value === undefined ? "" : String(value);
    default:
      return value === null || value === undefined ? "" : String(value);
  }
}

function valueOf(entry: FieldEntry, values: ApplicationSettings & { fields?: Record<string, unknown> }): unknown {
  return entry.storage.kind === "metadata"
    ? values.fields?.[entry.key.slice(customFieldPrefix.length)]
    : values[entry.key as keyof ApplicationSettings];
}

/** The form's values for an application (its settings and custom fields). */
export function formValuesOf(
  application: ApplicationSettings & { fields: Record<string, unknown> },
  config?: PortcullisConfig,
): ApplicationFormValues {
  return Object.fromEntries(
    allFieldEntries(config).map((entry) => [entry.key, formValueOf(entry.control, valueOf(entry, application))]),
  );
}

/** A new application's values: each field's initial value, or what the chosen preset sets. */
export function initialFormValues(
  config?: PortcullisConfig,
  preset?: Partial<ApplicationSettings>,
): ApplicationFormValues {
  const valueFor = (entry: FieldEntry) =>
    preset && Object.hasOwn(preset, entry.key) ? preset[entry.key as keyof ApplicationSettings] : entry.initial;
  return Object.fromEntries(
    allFieldEntries(config).map((entry) => [entry.key, formValueOf(entry.control, valueFor(entry))]),
  );
}

/** Reads a posted form into the raw values the schema validates. */
export function formValuesFrom(form: FormData, config?: PortcullisConfig): ApplicationFormValues {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  return Object.fromEntries(
    allFieldEntries(config).map(({ key, control }) => [
      key,
      control.kind === "checkbox"
        ? form.get(key) === "on"
        : control.kind === "choices"
          ? form.getAll(key).filter((value): value is string => typeof value === "string")
          : text(key),
    ]),
  );
}

const sameValue = (a: FormValue | undefined, b: FormValue | undefined) =>
  Array.isArray(a) && Array.isArray(b) ? [...a].sort().join("\n") === [...b].sort().join("\n") : a === b;

/**
 * The labels of the fields whose values differ between two versions of the form (what the admin
 * saw, and what is stored now), in the form's order: what changed meanwhile.
 */
export function changedFieldLabels(
  seen: ApplicationFormValues,
  current: ApplicationFormValues,
  config?: PortcullisConfig,
): string[] {
  return allFieldEntries(config)
    .filter((entry) => !sameValue(seen[entry.key], current[entry.key]))
    .map((entry) => entry.label);
}

/** Reads back form values the page handed over as JSON; anything else reads as nothing. */
export function formValuesFromJson(text: unknown): ApplicationFormValues {
  if (typeof text !== "string") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).filter(
        ([, value]) =>
          typeof value === "string" ||
          typeof value === "boolean" ||
          (Array.isArray(value) && value.every((item) => typeof item === "string")),
      ),
    ) as ApplicationFormValues;
  } catch {
    return {};
  }
}
