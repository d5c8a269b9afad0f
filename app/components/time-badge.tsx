import type { ClockLevel } from "~/models/tickets/sla";

const WORDS: Record<ClockLevel, string> = { ok: "on time", soon: "due soon", overdue: "overdue", paused: "paused", answered: "answered" };

/**
 * Time left on a response clock: green, amber when it is due soon, red once overdue; once
 * answered, how long the answer took. The words say it too, not only the colour. `look`:
 * the desk's queue shows a pill ("time-badge", desk.css), the ticket pages an inline badge.
 */
export function TimeBadge({ level, text, look = "badge" }: { level: ClockLevel | null; text: string | null; look?: "pill" | "badge" }) {
  if (!level || !text) return null;
  return (
    <span className={look === "pill" ? "time-badge" : "badge"} data-urgency={level} title={WORDS[level]}>
      {level === "soon" || level === "overdue" ? <span className="visually-hidden">{WORDS[level]}: </span> : null}
      {text}
    </span>
  );
}
