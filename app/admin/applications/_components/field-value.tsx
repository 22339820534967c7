import { Badge } from "@/components/ui/badge";
import type { applicationFieldList } from "@/lib/applications/fields";

/** A field's stored value as the detail page shows it, by the field's control. */
export function FieldValue({ entry, value }: { entry: (typeof applicationFieldList)[number]; value: unknown }) {
  const none = <span className="text-slate-600">None</span>;
  const { control } = entry;
  if (control.kind === "checkbox") return <>{value === true ? "Yes" : "No"}</>;
  if (Array.isArray(value)) {
    if (value.length === 0) return none;
    return control.kind === "choices" ? (
      <div className="flex flex-wrap gap-1">
        {value.map((item) => (
          <Badge key={String(item)}>{String(item)}</Badge>
        ))}
      </div>
    ) : (
      <ul className="space-y-1">
        {value.map((item) => (
          <li key={String(item)}>
            <code className="break-all font-mono text-sm">{String(item)}</code>
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
    return <code className="break-all font-mono text-sm">{String(value)}</code>;
  }
  return <>{String(value)}</>;
}
