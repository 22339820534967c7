/**
 * A date for people: "27 Nov 2026", or with the time, always in UTC so the server's rendering
 * never depends on its time zone. The exact instant is kept in the <time> element for machines.
 * For server components (the text is computed where it renders).
 */
const dateFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});
const timeFormat = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});

function formatDate(value: Date): string {
  return dateFormat.format(value);
}

function formatDateTime(value: Date): string {
  return `${dateFormat.format(value)}, ${timeFormat.format(value)} UTC`;
}

export function DateTime({ value, withTime = false }: { value: Date; withTime?: boolean }) {
  return (
    <time dateTime={value.toISOString()} title={formatDateTime(value)}>
      {withTime ? formatDateTime(value) : formatDate(value)}
    </time>
  );
}
