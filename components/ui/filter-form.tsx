/**
 * The filter bar above a list: a plain GET form (it works without JavaScript, and every filtered
 * view has a URL) with labelled fields, a submit button and, once something is filtered, a link
 * that clears the filters.
 */
import Link from "next/link";
import type { ReactNode } from "react";
import { buttonStyles } from "./button";

const control = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900";
const labelStyle = "block text-sm font-medium text-slate-800";

/** Whole class names, so that Tailwind finds them. */
const columnStyles = { 3: "lg:grid-cols-3", 4: "lg:grid-cols-4", 6: "lg:grid-cols-6" } as const;
const fullRowStyles = {
  3: "sm:col-span-2 lg:col-span-3",
  4: "sm:col-span-2 lg:col-span-4",
  6: "sm:col-span-2 lg:col-span-6",
};

interface FilterFormProps {
  /** The form's accessible name, e.g. "Filter users". */
  label: string;
  /** Grid columns on a wide screen. */
  columns: keyof typeof columnStyles;
  /** The buttons get a row of their own, rather than the cell after the last field. */
  buttonsOnOwnRow?: boolean;
  submitLabel?: string;
  /** Where the form submits and where "Clear filters" leads: the list without filters. */
  path: string;
  filtered: boolean;
  children: ReactNode;
}

export function FilterForm({
  label,
  columns,
  buttonsOnOwnRow = false,
  submitLabel = "Apply",
  path,
  filtered,
  children,
}: FilterFormProps) {
  return (
    <form
      role="search"
      aria-label={label}
      action={path}
      className={`mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 ${columnStyles[columns]}`}
    >
      {children}
      <div className={`flex items-end gap-2 ${buttonsOnOwnRow ? fullRowStyles[columns] : ""}`}>
        <button type="submit" className={buttonStyles.primary}>
          {submitLabel}
        </button>
        {filtered ? (
          <Link href={path} className={buttonStyles.ghost}>
            Clear filters
          </Link>
        ) : null}
      </div>
    </form>
  );
}

interface FilterSearchProps {
  id: string;
  name: string;
  label: string;
  placeholder: string;
  defaultValue?: string;
  /** Two columns wide. */
  wide?: boolean;
}

export function FilterSearch({ id, label, wide = false, ...input }: FilterSearchProps) {
  return (
    <div className={wide ? "sm:col-span-2" : undefined}>
      <label htmlFor={id} className={labelStyle}>
        {label}
      </label>
      <input id={id} type="search" className={control} {...input} />
    </div>
  );
}

interface FilterSelectProps {
  id: string;
  name: string;
  label: string;
  defaultValue: string;
  /** [value, label] pairs, in order. */
  options: readonly (readonly [string, string])[];
}

export function FilterSelect({ id, name, label, defaultValue, options }: FilterSelectProps) {
  return (
    <div>
      <label htmlFor={id} className={labelStyle}>
        {label}
      </label>
      <select id={id} name={name} defaultValue={defaultValue} className={control}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

interface FilterDateProps {
  id: string;
  name: string;
  label: string;
  defaultValue?: string;
  /** Why the value was not applied. */
  error?: string;
  /** Said under the field, e.g. which time zone the day is in. */
  help?: string;
}

/** A day (YYYY-MM-DD), with its error beside it. */
export function FilterDate({ id, name, label, defaultValue, error, help }: FilterDateProps) {
  const describedBy = [help ? `${id}-help` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div>
      <label htmlFor={id} className={labelStyle}>
        {label}
      </label>
      <input
        id={id}
        name={name}
        type="date"
        defaultValue={defaultValue}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy || undefined}
        className={`${control} aria-[invalid=true]:border-red-600`}
      />
      {help ? (
        <p id={`${id}-help`} className="mt-1 text-xs text-slate-600">
          {help}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-sm text-red-700" data-testid={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
