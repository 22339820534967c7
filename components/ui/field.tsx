import type { ReactNode } from "react";

/** Ids that tie a control to its help and error text through aria-describedby. */
export function fieldIds(name: string) {
  return { input: `field-${name}`, help: `field-${name}-help`, error: `field-${name}-error` };
}

export function describedBy(name: string, help: boolean, errors: readonly string[] | undefined): string | undefined {
  const ids = fieldIds(name);
  const parts = [help ? ids.help : null, errors?.length ? ids.error : null].filter(Boolean);
  return parts.length ? parts.join(" ") : undefined;
}

export function FieldError({ name, errors }: { name: string; errors?: readonly string[] }) {
  if (!errors?.length) return null;
  return (
    <ul id={fieldIds(name).error} className="mt-1 space-y-0.5 text-sm text-red-700">
      {errors.map((error) => (
        <li key={error}>{error}</li>
      ))}
    </ul>
  );
}

export function FieldHelp({ name, children }: { name: string; children?: ReactNode }) {
  if (!children) return null;
  return (
    <p id={fieldIds(name).help} className="mt-1 text-sm text-slate-600">
      {children}
    </p>
  );
}

const control =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 shadow-sm placeholder:text-slate-500 aria-[invalid=true]:border-red-600";

interface TextFieldProps {
  name: string;
  label: string;
  help?: ReactNode;
  errors?: readonly string[];
  defaultValue?: string;
  type?: string;
  required?: boolean;
  multiline?: boolean;
  placeholder?: string;
  autoComplete?: string;
  inputMode?: "numeric" | "text" | "email" | "url";
  rows?: number;
}

export function TextField({ name, label, help, errors, multiline, rows = 3, ...rest }: TextFieldProps) {
  const ids = fieldIds(name);
  const shared = {
    id: ids.input,
    name,
    "aria-invalid": errors?.length ? true : undefined,
    "aria-describedby": describedBy(name, Boolean(help), errors),
    className: `${control} ${multiline ? "font-mono" : ""}`,
  };
  return (
    <div>
      <label htmlFor={ids.input} className="block text-sm font-medium text-slate-800">
        {label}
        {rest.required ? (
          <span className="text-red-700" aria-hidden="true">
            {" "}
            *
          </span>
        ) : null}
      </label>
      <div className="mt-1">
        {multiline ? (
          <textarea
            {...shared}
            rows={rows}
            defaultValue={rest.defaultValue}
            placeholder={rest.placeholder}
            spellCheck={false}
          />
        ) : (
          <input {...shared} {...rest} />
        )}
      </div>
      <FieldHelp name={name}>{help}</FieldHelp>
      <FieldError name={name} errors={errors} />
    </div>
  );
}
