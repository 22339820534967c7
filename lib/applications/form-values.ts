/**
 * The application form's values: what it shows and what it posts, derived from the field
 * definitions (fields.ts) by each field's control, so a new field needs nothing here.
 */
import {
  applicationFieldList,
  type ApplicationFieldKey,
  type ApplicationSettings,
  type FormControl,
} from "./fields.ts";

/** A text box or choice posts a string, a checkbox a boolean, a group of checkboxes a list. */
export type FormValue = string | boolean | string[];
export type ApplicationFormValues = Record<ApplicationFieldKey, FormValue>;

function formValueOf(control: FormControl, value: unknown): FormValue {
  switch (control.kind) {
    case "checkbox":
      return value === true;
    case "choices":
      return Array.isArray(value) ? value.map(String) : [];
    case "lines":
      return Array.isArray(value) ? value.join("\n") : "";
    default:
      return value === null || value === undefined ? "" : String(value);
  }
}

/** The form's values for an application's settings (or a new one's initial values). */
export function formValuesOf(settings: ApplicationSettings): ApplicationFormValues {
  return Object.fromEntries(
    applicationFieldList.map(({ key, control }) => [key, formValueOf(control, settings[key])]),
  ) as ApplicationFormValues;
}

export const initialFormValues: ApplicationFormValues = Object.fromEntries(
  applicationFieldList.map(({ key, control, initial }) => [key, formValueOf(control, initial)]),
) as ApplicationFormValues;

/** Reads a posted form into the raw values the schema validates. */
export function formValuesFrom(form: FormData): ApplicationFormValues {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  return Object.fromEntries(
    applicationFieldList.map(({ key, control }) => [
      key,
      control.kind === "checkbox"
        ? form.get(key) === "on"
        : control.kind === "choices"
          ? form.getAll(key).filter((value): value is string => typeof value === "string")
          : text(key),
    ]),
  ) as ApplicationFormValues;
}
