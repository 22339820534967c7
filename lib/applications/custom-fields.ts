/**
 * The deployer's custom application fields (portcullis.config.ts), turned into field definitions
 * like the built-in ones (fields.ts): the form, the detail page, the CLI, the list and the audit
 * log treat both alike. A custom field's key is "fields." + its declared key; its value lives
 * under the declared key in the application's metadata column, where values of fields the config
 * no longer declares are kept untouched.
 */
import { z } from "zod";
import { hasControlCharacters } from "../control-characters.ts";
import { extensions } from "../extensions/active.ts";
import type { CustomFieldDeclaration, CustomFieldOption, PortcullisConfig } from "../extensions/define.ts";
import { isWebUrl } from "../oauth/redirect-uri.ts";
import {
  applicationFieldList,
  blankToNull,
  flag,
  list,
  type FieldEntry,
  type FormControl,
  type Option,
} from "./fields.ts";

export const customFieldPrefix = "fields.";

const optionsOf = (options: readonly CustomFieldOption[]): Option[] =>
  options.map((option) => (typeof option === "string" ? { value: option, label: option } : option));

function controlFor(field: CustomFieldDeclaration): FormControl {
  switch (field.type) {
    case "text":
      return { kind: "text" };
    case "url":
      return { kind: "text", type: "url" };
    case "email":
      return { kind: "text", type: "email" };
    case "number":
      return { kind: "text", type: "number" };
    case "longText":
      return { kind: "longText" };
    case "boolean":
      return { kind: "checkbox" };
    case "oneOf":
      return { kind: "choice", style: "select", options: optionsOf(field.options) };
    case "manyOf":
      return { kind: "choices", options: optionsOf(field.options) };
  }
}

function initialOf(field: CustomFieldDeclaration): unknown {
  if (field.default !== undefined) return field.default;
  return field.type === "boolean" ? false : field.type === "manyOf" ? [] : null;
}

/** The rule for one declared field: empty is null unless required; an absent value takes the default. */
function schemaFor(field: CustomFieldDeclaration): z.ZodType<unknown, unknown> {
  const initial = initialOf(field);
  const absentToDefault = (value: unknown) => (value === undefined ? initial : value);
  const optional = <T extends z.ZodType>(schema: T, required: string) =>
    z.preprocess(
      (value) => blankToNull(absentToDefault(value)),
      field.required ? schema.nullable().refine((value) => value !== null, required) : schema.nullable(),
    );
  switch (field.type) {
    case "boolean":
      return z.preprocess(absentToDefault, flag(field.default ?? false));
    case "manyOf": {
      const values = optionsOf(field.options).map((option) => option.value);
      return z.preprocess(
        absentToDefault,
        list.pipe(
          z.array(
            z.string().refine((value) => values.includes(value), {
              error: (issue) => `"${String(issue.input)}" is not one of the choices`,
            }),
          ),
        ),
      );
    }
    case "oneOf": {
      const values = optionsOf(field.options).map((option) => option.value);
      return optional(
        z.string().refine((value) => values.includes(value), "Choose one of the options"),
        "Choose one of the options",
      );
    }
    case "number": {
      let number = z.number({ error: "Enter a number" });
      if (field.integer) number = number.int("Enter a whole number");
      if (field.min !== undefined) number = number.min(field.min, `Must be at least ${field.min}`);
      if (field.max !== undefined) number = number.max(field.max, `Must be at most ${field.max}`);
      return z.preprocess(
        (value) => {
          const blank = blankToNull(absentToDefault(value));
          return typeof blank === "string" ? Number(blank) : blank;
        },
        field.required ? number.nullable().refine((value) => value !== null, "Enter a number") : number.nullable(),
      );
    }
    default: {
      const maxLength = field.maxLength ?? (field.type === "longText" ? 10_000 : 2000);
      let text = z.string().max(maxLength, `Must be at most ${maxLength.toLocaleString("en")} characters`);
      if (field.type === "longText") {
        text = text.refine(
          (value) => !hasControlCharacters(value.replace(/[\n\r\t]/g, "")),
          "Must not contain control characters",
        );
      } else {
        text = text.refine((value) => !hasControlCharacters(value), "Must not contain control characters");
      }
      if (field.type === "url") text = text.refine(isWebUrl, "Enter an https URL");
      if (field.type === "email")
        text = text.refine((value) => z.email().safeParse(value).success, "Enter an email address");
      return optional(text, "Enter a value");
    }
  }
}

const entriesByConfig = new WeakMap<PortcullisConfig, FieldEntry[]>();

/** The declared custom fields as field entries, in declaration order. */
export function customFieldEntries(config: PortcullisConfig = extensions()): FieldEntry[] {
  let entries = entriesByConfig.get(config);
  if (!entries) {
    entries = Object.entries(config.applicationFields ?? {}).map(([key, field]) => ({
      key: `${customFieldPrefix}${key}`,
      label: field.label,
      help: field.help,
      section: "custom" as const,
      control: controlFor(field),
      schema: schemaFor(field),
      initial: initialOf(field),
      storage: { kind: "metadata" as const, key },
      unordered: field.type === "manyOf",
      listColumn: field.listColumn,
      listFilter: field.listFilter,
    }));
    entriesByConfig.set(config, entries);
  }
  return entries;
}

/** Every field an application has: the built-in ones, then the deployer's. */
export function allFieldEntries(config: PortcullisConfig = extensions()): FieldEntry[] {
  return [...applicationFieldList, ...customFieldEntries(config)];
}

/** The declared fields' values in a stored metadata object: each one's stored value, else its initial value. */
export function customValuesFrom(metadata: unknown, config: PortcullisConfig = extensions()): Record<string, unknown> {
  const stored = typeof metadata === "object" && metadata !== null && !Array.isArray(metadata) ? metadata : {};
  const values: Record<string, unknown> = {};
  for (const entry of customFieldEntries(config)) {
    const key = (entry.storage as { key: string }).key;
    values[key] = Object.hasOwn(stored, key) ? (stored as Record<string, unknown>)[key] : entry.initial;
  }
  return values;
}

/** The metadata to store: the declared fields' new values over what was stored (undeclared keys are kept). */
export function metadataWith(stored: unknown, values: Record<string, unknown>): Record<string, unknown> {
  const base = typeof stored === "object" && stored !== null && !Array.isArray(stored) ? stored : {};
  return { ...(base as Record<string, unknown>), ...values };
}
