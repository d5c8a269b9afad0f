import type { BadgeLevel } from "~/models/desk/queue";

const LABEL: Record<BadgeLevel, string> = { ok: "on time", amber: "due soon", red: "overdue", paused: "paused", answered: "answered" };

/** The desk's time-left badge: amber in the last quarter of the clock, red once overdue; the words say it too, not only the colour. */
export function TimeBadge({ badge }: { badge: { level: BadgeLevel; text: string } }) {
  return (
    <span className="time-badge" data-level={badge.level} title={LABEL[badge.level]}>
      {badge.level === "amber" || badge.level === "red" ? <span className="visually-hidden">{LABEL[badge.level]}: </span> : null}
      {badge.text}
    </span>
  );
}
