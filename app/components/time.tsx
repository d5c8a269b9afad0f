// Formatted in UTC on server and browser alike, so hydration sees the same text.
const dateTime = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const dateOnly = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

export function formatDateTime(value: string | Date) {
  return `${dateTime.format(new Date(value))} UTC`;
}

export function formatDate(value: string | Date) {
  return dateOnly.format(new Date(value));
}

export function Time({ value, withTime = true }: { value: string | Date; withTime?: boolean }) {
  const iso = new Date(value).toISOString();
  return <time dateTime={iso}>{withTime ? formatDateTime(value) : formatDate(value)}</time>;
}
