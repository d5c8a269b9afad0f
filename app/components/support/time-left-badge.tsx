type Clock = { paused: boolean; answered: boolean; urgency: "ok" | "soon" | "overdue" | "paused" | null; text: string | null };

const STYLE: Record<string, React.CSSProperties | undefined> = {
  ok: { color: "var(--ok)", borderColor: "currentColor" },
  soon: { color: "var(--warn)", borderColor: "currentColor", fontWeight: 700 },
  overdue: { color: "var(--danger)", borderColor: "currentColor", fontWeight: 700 },
  paused: undefined,
};

/** Time left on the response clock: green, amber in the last quarter, red once overdue; once answered, how long it took. */
export function TimeLeftBadge({ clock }: { clock: Clock }) {
  if (clock.answered && clock.text) return <span className="badge" data-urgency="answered">{clock.text}</span>;
  if (!clock.urgency || !clock.text) return null;
  return (
    <span className="badge" style={STYLE[clock.urgency]} data-urgency={clock.urgency}>
      {clock.text}
    </span>
  );
}
