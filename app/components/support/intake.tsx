import { Form } from "@remix-run/react";
import { formatDateTime } from "~/components/time";

// What the gate shows before anyone pays (docs/product.md §4.13): the queue, how fast
// answers came lately, and tiers paused with their reopening.

export type IntakeView = {
  open: boolean;
  reopensAt: string | null;
  waiting: number;
  message: string | null;
  reopenRequested: boolean;
  tiers: { id: string; medianFirstResponseHours: number | null; available: boolean; reopensAt: string | null }[];
};

const hours = (h: number) => `${h} hour${h === 1 ? "" : "s"}`;

/** The line after a tier's promise: the real median, or that it is paused until when. */
export function TierTruth({ tier }: { tier: IntakeView["tiers"][number] | undefined }) {
  if (!tier) return null;
  const median =
    tier.medianFirstResponseHours === null
      ? "no answered tickets in the last 30 days"
      : `median first response in the last 30 days: ${hours(tier.medianFirstResponseHours)}`;
  return (
    <span className="hint" style={{ display: "block", marginLeft: "1.5em" }}>
      {tier.available
        ? median
        : `Paused${tier.reopensAt ? ` until ${formatDateTime(tier.reopensAt)}` : " until a place frees up"}; ${median}`}
    </span>
  );
}

export function QueueNotice({ intake }: { intake: IntakeView }) {
  return (
    <p className="notice" role="status" data-testid="support-waiting">
      {intake.waiting === 0
        ? "No paid tickets are waiting for a first response right now."
        : `${intake.waiting} paid ticket${intake.waiting === 1 ? " is" : "s are"} waiting for a first response.`}
    </p>
  );
}

/** Intake paused for every tier: why, each tier's promise with its reopening and recent median, and the offer to be told. */
export function PausedCard({
  intake,
  tiers,
  error,
}: {
  intake: IntakeView;
  tiers: { id: string; slug: string; name: string; responseHours: number }[];
  error?: string;
}) {
  return (
    <section className="card" aria-labelledby="paused-title" data-testid="support-paused">
      <h2 id="paused-title">Paid support is paused</h2>
      <p>{intake.message}</p>
      <ul className="plain-list">
        {tiers.map((t) => (
          <li key={t.id} data-testid={`tier-${t.slug}`}>
            <strong>{t.name}</strong>: first response within {hours(t.responseHours)}
            <TierTruth tier={intake.tiers.find((x) => x.id === t.id)} />
          </li>
        ))}
      </ul>
      {intake.reopenRequested ? (
        <p className="notice" role="status">
          We will e-mail you once when it reopens.
        </p>
      ) : (
        <Form method="post">
          <input type="hidden" name="intent" value="notify-reopen" />
          {error ? (
            <p className="form-error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit">E-mail me when it reopens</button>
        </Form>
      )}
    </section>
  );
}
