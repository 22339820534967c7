import { FieldError } from "@/components/ui/field";

/** The scopes to ask for, each with the words the consent screen uses for it. */
export function ScopeCheckboxes({
  idPrefix,
  scopes,
  checked,
  errors,
}: {
  idPrefix: string;
  scopes: { name: string; description: string }[];
  checked: readonly string[];
  errors?: readonly string[];
}) {
  return (
    <fieldset aria-describedby={errors?.length ? `field-${idPrefix}-scope-error` : undefined}>
      <legend className="text-sm font-medium text-slate-800">Scopes</legend>
      {scopes.length === 0 ? (
        <p className="mt-1 text-sm text-slate-600">No scope can be asked for: the request goes without one.</p>
      ) : (
        <ul className="mt-2 grid gap-2 sm:grid-cols-2">
          {scopes.map((scope) => (
            <li key={scope.name} className="flex items-start gap-2">
              <input
                type="checkbox"
                id={`${idPrefix}-scope-${scope.name}`}
                name="scope"
                value={scope.name}
                defaultChecked={checked.includes(scope.name)}
                className="mt-0.5 size-4 rounded border-slate-400"
              />
              <label htmlFor={`${idPrefix}-scope-${scope.name}`} className="text-sm text-slate-800">
                <code className="font-mono">{scope.name}</code>{" "}
                <span className="text-slate-600">{scope.description}</span>
              </label>
            </li>
          ))}
        </ul>
      )}
      <FieldError name={`${idPrefix}-scope`} errors={errors} />
    </fieldset>
  );
}
