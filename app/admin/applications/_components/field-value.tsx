import { Badge } from "@/components/ui/badge";
import type { FormControl } from "@/lib/applications/form-layout";

/** A field's stored value as the detail page shows it, by the field's control. */
export function FieldValue({ entry, value }: { entry: { control: FormControl }; value: unknown }) {
  const none = <span className="text-slate-600">None</span>;
  const { control } = entry;
  if (control.kind === "checkbox") return <>{value === true ? "Yes" : "No"}</>;
  if (Array.isArray(value)) {
    if (value.length === 0) return none;
    const labelOf = (item: unknown) =>
      (control.kind === "choices" && Array.isArray(control.options)
        ? (control.options as readonly { value: string; label: string }[]).find((option) => option.value === item)
            ?.label
        : undefined) ?? String(item);
    return control.kind === "choices" ? (
      <div className="flex flex-wrap gap-1">
        {value.map((item) => (
          <Badge key={String(item)}>{labelOf(item)}</Badge>
        ))}
      </div>
    ) : (
      <ul className="space-y-1">
        {value.map((item) => (
          <li key={String(item)}>
            <code className="font-mono text-sm [overflow-wrap:anywhere]">{String(item)}</code>
          </li>
        ))}
      </ul>
    );
  }
  if (value === null || value === undefined || value === "") return none;
  if (control.kind === "choice") {
    return <>{control.options.find((option) => option.value === value)?.label ?? String(value)}</>;
  }
  if (control.kind === "text" && control.type === "url") {
    return <code className="font-mono text-sm [overflow-wrap:anywhere]">{String(value)}</code>;
  }
  return <>{String(value)}</>;
}
