import { plural } from "~/utils/text";

// Formatted in UTC on server and browser alike, so hydration sees the same text.
const dateTime = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const dateOnly = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });

export function formatDateTime(value: string | Date) {
  return `${dateTime.format(new Date(value))} UTC`;
}

export function formatDate(value: string | Date) {
  return dateOnly.format(new Date(value));
}

const UNITS: [number, string][] = [
  [60, "second"],
  [60, "minute"],
  [24, "hour"],
  [30, "day"],
  [12, "month"],
  [Infinity, "year"],
];

/** "3 hours ago", or "just now" under 45 seconds. */
export function formatRelative(value: string | Date, now = Date.now()) {
  let amount = Math.max(0, (now - new Date(value).getTime()) / 1000);
  let unit = "second";
  for (const [size, name] of UNITS) {
    unit = name;
    if (amount < size) break;
    amount /= size;
  }
  const n = Math.floor(amount);
  return unit === "second" && n < 45 ? "just now" : `${plural(n, unit)} ago`;
}

/**
 * A point in time: date and time in UTC, the date alone, or relative ("3 hours ago") with the
 * absolute time in the title. The machine-readable timestamp is always in the attribute.
 */
export function Time({
  value,
  withTime = true,
  relative = false,
  now,
}: {
  value: string | Date;
  withTime?: boolean;
  relative?: boolean;
  now?: number;
}) {
  const d = new Date(value);
  if (relative) {
    return (
      // The wording can change between server render and hydration; the timestamp cannot.
      <time dateTime={d.toISOString()} title={d.toUTCString()} suppressHydrationWarning>
        {formatRelative(d, now)}
      </time>
    );
  }
  return <time dateTime={d.toISOString()}>{withTime ? formatDateTime(value) : formatDate(value)}</time>;
}
