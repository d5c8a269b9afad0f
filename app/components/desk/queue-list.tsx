import { Link, useNavigate } from "@remix-run/react";
import { useCallback, useEffect, useRef, useState } from "react";
import { Time } from "~/components/time";
import { TimeBadge } from "~/components/time-badge";
import type { ClockLevel } from "~/models/tickets/sla";

export type QueueItem = {
  id: string;
  title: string;
  url: string;
  stateLabel: string;
  owner: string;
  tier: { name: string };
  paidAt: string | Date;
  answered: boolean;
  badge: { level: ClockLevel; text: string };
  hold?: { text: string } | null;
};

const typing = (el: EventTarget | null) =>
  el instanceof HTMLElement && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));

/**
 * The queue with keyboard navigation: j and k move, o or Enter opens. The
 * current row carries aria-current and keyboard focus (so the focus ring shows
 * and screen readers follow); it stays on the same ticket when the list refreshes.
 */
export function QueueList({ items }: { items: QueueItem[] }) {
  const navigate = useNavigate();
  const [currentId, setCurrentId] = useState<string | null>(items[0]?.id ?? null);
  const list = useRef<HTMLOListElement>(null);
  const index = Math.max(
    0,
    items.findIndex((i) => i.id === currentId),
  );

  const move = useCallback(
    (to: number) => {
      const next = items[Math.min(items.length - 1, Math.max(0, to))];
      if (!next) return;
      setCurrentId(next.id);
      list.current?.querySelector<HTMLAnchorElement>(`[data-ticket="${next.id}"] a`)?.focus();
    },
    [items],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || typing(e.target) || !items.length) return;
      if (e.key === "j") move(index + 1);
      else if (e.key === "k") move(index - 1);
      else if (e.key === "o" || (e.key === "Enter" && !(e.target instanceof HTMLAnchorElement))) navigate(items[index]!.url);
      else return;
      e.preventDefault();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [items, index, move, navigate]);

  if (!items.length) return <p className="empty-list">Nothing in the queue. Paid tickets appear here as soon as they are paid for.</p>;
  return (
    <ol className="desk-queue" aria-label="Paid items, most urgent first" ref={list}>
      {items.map((t, i) => (
        <li key={t.id} className="desk-row" data-ticket={t.id} aria-current={i === index ? "true" : undefined}>
          <Link to={t.url} onFocus={() => setCurrentId(t.id)}>
            {t.title}
          </Link>
          <TimeBadge level={t.badge.level} text={t.badge.text} look="pill" />
          {t.hold ? (
            <span className="time-badge" data-urgency="overdue">
              {t.hold.text}
            </span>
          ) : null}
          <p className="meta">
            <span className="badge">{t.stateLabel}</span>
            <span>{t.tier.name}</span>
            <span>by {t.owner}</span>
            <span>
              paid <Time value={t.paidAt} />
            </span>
            {t.answered ? <span>answered</span> : null}
          </p>
        </li>
      ))}
    </ol>
  );
}
