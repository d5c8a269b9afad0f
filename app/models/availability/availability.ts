import { z } from "zod";

// What the maintainer can keep (docs/product.md §4.13, docs/decisions/045), as pure
// arithmetic: every function takes `now`, so tests move time by passing a Date.

const HOUR_MS = 3_600_000;

export type Absence = { from: Date; to: Date; note: string | null };
export type TierPromise = { id: string; responseHours: number };
export type PauseReason = "capacity" | "absence";
export type TierAvailability = {
  id: string;
  responseHours: number;
  available: boolean;
  reason: PauseReason | null;
  reopensAt: Date | null;
};

const overlaps = (a: Absence, from: Date, to: Date) => a.from < to && a.to > from;

/**
 * The first moment from `now` at which a purchase gets a deadline outside every absence:
 * the clock counts plain hours from payment (docs/decisions/033), so the whole span
 * [paid, paid + responseHours] must be free. Absences only ever push it later.
 */
export function firstFreeStart(absences: Absence[], responseHours: number, now: Date): Date {
  let start = now;
  for (;;) {
    const deadline = new Date(start.getTime() + responseHours * HOUR_MS);
    const inside = absences.filter((a) => overlaps(a, start, deadline));
    if (!inside.length) return start;
    start = new Date(Math.max(...inside.map((a) => a.to.getTime())));
  }
}

export type Held = { open: number; max: number | null };

/**
 * Whether each tier's promise can be kept by a purchase now. The limit in total binds all tiers, a tier's own
 * limit binds that tier (docs/decisions/051); either reopens on a resolve or a reject, at a moment nobody can
 * know: its reopensAt is null.
 */
export function tierAvailability(
  tiers: TierPromise[],
  held: Held & { perTier?: Map<string, Held> },
  absences: Absence[],
  now: Date,
): TierAvailability[] {
  const atLimit = (h: Held | undefined) => h !== undefined && h.max !== null && h.open >= h.max;
  return tiers.map((t) => {
    const free = firstFreeStart(absences, t.responseHours, now);
    const absent = free > now;
    const full = atLimit(held) || atLimit(held.perTier?.get(t.id));
    if (full) return { id: t.id, responseHours: t.responseHours, available: false, reason: "capacity", reopensAt: null };
    if (absent) return { id: t.id, responseHours: t.responseHours, available: false, reason: "absence", reopensAt: free };
    return { id: t.id, responseHours: t.responseHours, available: true, reason: null, reopensAt: null };
  });
}

/** Intake as a whole: open while any tier is; else the earliest known reopening (null when capacity-bound). */
export function intakeOf(tiers: TierAvailability[]): { open: boolean; reopensAt: Date | null; reason: PauseReason | null } {
  if (!tiers.length || tiers.some((t) => t.available)) return { open: tiers.length > 0, reopensAt: null, reason: null };
  const reason = tiers.some((t) => t.reason === "capacity") ? "capacity" : "absence";
  const dates = tiers.map((t) => t.reopensAt?.getTime()).filter((d): d is number => d !== undefined);
  return { open: false, reopensAt: reason === "capacity" || !dates.length ? null : new Date(Math.min(...dates)), reason };
}

/** Active tickets whose deadline falls inside an absence: promises already sold that the absence would break. */
export const deadlinesInside = <T extends { deadlineAt: Date }>(absence: Absence, tickets: T[]) =>
  tickets.filter((t) => t.deadlineAt >= absence.from && t.deadlineAt <= absence.to);

// ISO 8601 date and time, with a zone (Z or ±hh:mm) or without one, as a datetime-local field sends it (read as
// UTC, as the desk page says). Date.parse alone would take "12/24/2030" in the server's zone and roll 30 February
// into March: either would save an absence the maintainer did not mean.
const ISO_DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d{1,3})?)?(Z|[+-]\d\d:\d\d)?$/;

/** The moment an ISO date-time names, or null when it is not one (or names no real day or time). */
export function parseIsoDateTime(text: string): Date | null {
  const m = ISO_DATE_TIME.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s = "0", zone] = m;
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCFullYear() !== Number(y) || day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return null;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  if (zone && zone !== "Z" && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4)) > 59)) return null;
  const at = new Date(zone ? text.trim() : `${text.trim()}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

const dateTime = (what: string) => {
  const message = `Give the ${what} as an ISO date and time, e.g. 2026-12-24T09:00Z.`;
  return z.union([z.string(), z.date()], { error: message }).transform((v, ctx) => {
    const d = v instanceof Date ? (Number.isNaN(v.getTime()) ? null : v) : parseIsoDateTime(v);
    if (!d) {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    }
    return d;
  });
};

export const MAX_ABSENCES = 20;
const LIMIT_MESSAGE = "A whole number from 1 to 1000, or empty (null) for no limit.";

const absenceSchema = z
  .object({
    from: dateTime("start"),
    to: dateTime("end"),
    note: z
      .string()
      .trim()
      .max(200, "At most 200 characters.")
      .nullish()
      .transform((v) => v || null),
  })
  // Checked when saved: an absence may already have begun, but not ended.
  .superRefine((a, ctx) => {
    if (a.to <= a.from) ctx.addIssue({ code: "custom", path: ["to"], message: "The end must be after the start." });
    else if (a.to <= new Date()) ctx.addIssue({ code: "custom", path: ["to"], message: "This absence is already over." });
  });

/** Tickets held at once: null (or empty in a form) for no limit. */
const limitField = z.union([z.number(), z.string(), z.null()], { error: LIMIT_MESSAGE }).transform((v, ctx) => {
  if (v === null || (typeof v === "string" && v.trim() === "")) return null;
  // A form sends digits; "0x10" or "1e2" are not what anyone typed into a number field.
  const n = typeof v === "number" ? v : /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    ctx.addIssue({ code: "custom", message: LIMIT_MESSAGE });
    return z.NEVER;
  }
  return n;
});

const MAX_TIER_LIMITS = 50;

/** The PUT body and the desk form: bad dates, ended absences, then overlaps are refused per field. */
export const availabilitySchema = z
  .object({
    maxOpenTickets: limitField,
    tierLimits: z
      .array(z.object({ id: z.string({ error: "The tier's id." }).min(1, "The tier's id."), maxOpenTickets: limitField }))
      .max(MAX_TIER_LIMITS, `At most ${MAX_TIER_LIMITS} tier limits.`)
      // Left out, the tiers' own limits stay as they are: a client of the first contract
      // ({ maxOpenTickets, absences }) does not wipe what the desk set (docs/decisions/051).
      .optional(),
    absences: z.array(absenceSchema).max(MAX_ABSENCES, `At most ${MAX_ABSENCES} absences.`).default([]),
  })
  // Run even when another field failed, so one answer names every field to fix; rows whose dates did not parse
  // (still strings then) or are reversed are left out of the comparison.
  .superRefine(
    (v, ctx) => {
      const limits = Array.isArray(v.tierLimits) ? v.tierLimits : [];
      limits.forEach((l, i) => {
        if (limits.findIndex((m) => m?.id === l?.id) < i) {
          ctx.addIssue({ code: "custom", path: ["tierLimits", i, "id"], message: "This tier has a limit already." });
        }
      });
      const rows = Array.isArray(v.absences) ? v.absences : [];
      const dated = (a: Absence | undefined): a is Absence => a?.from instanceof Date && a.to instanceof Date && a.to > a.from;
      rows.forEach((a, i) => {
        if (!dated(a)) return;
        const clash = rows.findIndex((b, j) => j < i && dated(b) && overlaps(b, a.from, a.to));
        if (clash >= 0) {
          ctx.addIssue({ code: "custom", path: ["absences", i, "from"], message: `Overlaps absence ${clash + 1}; merge the two.` });
        }
      });
    },
    { when: (payload) => typeof payload.value === "object" && payload.value !== null },
  )
  .meta({ id: "SupportAvailabilityInput" });

export type AvailabilityInput = z.output<typeof availabilitySchema>;

/** The desk form's flat fields (absences.0.from …, tierLimits.<tier id>) as the API body; rows left empty are dropped. */
export function availabilityFromForm(fields: Record<string, string | string[]>) {
  const one = (k: string) => {
    const v = fields[k];
    return (Array.isArray(v) ? v[0] : v)?.trim() ?? "";
  };
  const rows = new Set(Object.keys(fields).flatMap((k) => /^absences\.(\d+)\./.exec(k)?.[1] ?? []));
  const absences = [...rows]
    .sort((a, b) => Number(a) - Number(b))
    .map((i) => ({ from: one(`absences.${i}.from`), to: one(`absences.${i}.to`), note: one(`absences.${i}.note`) }))
    .filter((a) => a.from || a.to || a.note);
  const tierLimits = Object.keys(fields).flatMap((k) => {
    const id = /^tierLimits\.(.+)$/.exec(k)?.[1];
    return id ? [{ id, maxOpenTickets: one(k) }] : [];
  });
  return { maxOpenTickets: one("maxOpenTickets"), tierLimits, absences };
}
