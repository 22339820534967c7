/**
 * Conditional edits: a form carries the version of the record it was drawn from (its updatedAt)
 * and the values it showed, and the save happens only if the record is still at that version
 * (the command checks it under the row lock). On a conflict the page says what changed meanwhile
 * (components/ui/edit-conflict.tsx) and the next save is conditional on the version now stored.
 */

/** The hidden fields that carry the version an edit form was drawn from. */
export const versionField = "_version";
export const seenField = "_seen";

/** The version a form was drawn from, or null when the field is missing or not a date. */
export function editedVersionOf(form: FormData): Date | null {
  const version = new Date(String(form.get(versionField)));
  return Number.isNaN(version.getTime()) ? null : version;
}

/** The values the form showed, as it handed them over (JSON); anything else reads as none. */
export function seenValuesOf(form: FormData): Record<string, unknown> {
  const text = form.get(seenField);
  if (typeof text !== "string") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
