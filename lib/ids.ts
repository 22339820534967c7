/**
 * What a row id from a form field or a server action's arguments must look like before it reaches
 * a query: a string as this server makes ids (cuid) or imports and tests may (UUIDs, slugs).
 * Anything else is a clear "not found" for the caller instead of a query error (a 500).
 */
export function isId(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9_-]{1,100}$/.test(value);
}
