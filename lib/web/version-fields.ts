/**
 * The hidden fields that carry the version an edit form was drawn from (the record's updatedAt and
 * the values the form showed), so that the save is conditional on it and a refusal can name what
 * changed meanwhile. Used by every conditional edit form (applications, users, scopes) and their actions.
 */
export const versionField = "_version";
export const seenField = "_seen";

/** The version a form posted, or null when it is missing or not a date. */
export function postedVersion(form: FormData): Date | null {
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
