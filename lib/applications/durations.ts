/**
 * Token lifetimes as people write and read them ("15 minutes", "30 days", "1h 30m"), stored in
 * seconds. A bare number is seconds, so the CLI's and older forms' values keep their meaning.
 */

const units = [
  { seconds: 86_400, names: ["d", "day", "days"], singular: "day", plural: "days" },
  { seconds: 3_600, names: ["h", "hr", "hrs", "hour", "hours"], singular: "hour", plural: "hours" },
  { seconds: 60, names: ["m", "min", "mins", "minute", "minutes"], singular: "minute", plural: "minutes" },
  { seconds: 1, names: ["s", "sec", "secs", "second", "seconds"], singular: "second", plural: "seconds" },
] as const;

const weeks = { seconds: 604_800, names: ["w", "wk", "week", "weeks"] } as const;

/** Seconds for a duration such as "90", "15 minutes", "1h 30m" or "2 weeks"; null when it is none. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim().toLowerCase();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(\d+)\s*([a-z]+)\s*,?\s*/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== trimmed) return null;
  let total = 0;
  for (const [, amount, name] of parts) {
    const unit = [...units, weeks].find((candidate) => (candidate.names as readonly string[]).includes(name!));
    if (!unit) return null;
    total += Number(amount) * unit.seconds;
  }
  return total;
}

/** The largest whole unit: 2592000 → "30 days", 5400 → "90 minutes", 3601 → "3,601 seconds". */
export function formatDuration(seconds: number): string {
  const unit = units.find((candidate) => seconds % candidate.seconds === 0 && seconds >= candidate.seconds) ?? units[3];
  const count = seconds / unit.seconds;
  return `${count.toLocaleString("en-US")} ${count === 1 ? unit.singular : unit.plural}`;
}
