/**
 * Whether a value can be the id of one of our rows (cuids; tests and imports may use other
 * URL-safe ids). Server actions are public endpoints whose arguments arrive untyped: checking an id
 * here turns junk (an object, a NUL, which PostgreSQL cannot even compare) into "not found" instead
 * of a database error.
 */
export function isRecordId(value: unknown): value is string {
  return typeof value === "string" && /^[A-Za-z0-9_-]{1,100}$/.test(value);
}
