import type { PaymentIntentInfo } from "./types";

/** A payment kept in Backline's own database (a coverage draw, a test-mode intent). */
export type LocalIntentRow = { id: string; status: string; amountCents: number; currency: string; escalationId: string; createdAt: Date };

/**
 * The row as a PaymentIntent, so the ticket flow treats it like Stripe's: authorised when the row
 * was written; `captureBefore` is when the hold lapses (null: nothing lapses).
 */
export const localIntentInfo = (row: LocalIntentRow, captureBefore: Date | null): PaymentIntentInfo => ({
  id: row.id,
  status: row.status,
  amount: row.amountCents,
  currency: row.currency,
  metadata: { escalationId: row.escalationId },
  authorisedAt: row.createdAt,
  captureBefore,
});
