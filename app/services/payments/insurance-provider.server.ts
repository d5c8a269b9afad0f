import { db } from "~/services/db.server";
import { addEntry, lockSubscription } from "~/models/coverage-ledger.server";
import { recordMoneyEvent } from "~/models/money-trail.server";
import { PaymentProviderError, type PaymentIntentInfo, type PaymentProvider } from "./types";

// Escalations paid from support insurance (docs/decisions/016). The drawdown is
// a ledger debit written when the member escalates; this provider gives it a
// PaymentIntent's life so the ticket flow is unchanged: accepting "captures"
// (the debit stands), rejecting or expiring "cancels" (a refund entry returns
// the amount to the coverage, exactly once).

type Draw = { id: string; status: string; amountCents: number; currency: string; escalationId: string; createdAt: Date };

const toInfo = (row: Draw): PaymentIntentInfo => ({
  id: row.id,
  status: row.status,
  amount: row.amountCents,
  currency: row.currency,
  metadata: { escalationId: row.escalationId },
  // The draw is written when the member escalates: coverage pays at that moment, however late the ticket is created.
  authorisedAt: row.createdAt,
  // Coverage is drawn, not held on a card: nothing lapses.
  captureBefore: null,
});

async function findDraw(id: string) {
  const row = await db.insuranceDraw.findUnique({ where: { id } });
  if (!row) throw new PaymentProviderError(`Coverage: no such draw: '${id}'`, "resource_missing", false);
  return row;
}

function unexpected(row: Draw, verb: string): never {
  throw new PaymentProviderError(
    `Coverage: this draw could not be ${verb} because it has a status of ${row.status}.`,
    "payment_intent_unexpected_state",
    false,
  );
}

export const insuranceProvider: PaymentProvider = {
  name: "insurance",
  async createCheckout() {
    throw new PaymentProviderError("Coverage is drawn when escalating, not through a checkout page.", "unsupported", false);
  },
  async expireCheckout() {
    throw new PaymentProviderError("Coverage has no checkout page to expire.", "unsupported", false);
  },
  async retrievePaymentIntent(id) {
    return toInfo(await findDraw(id));
  },
  async capture(id) {
    const { count } = await db.insuranceDraw.updateMany({ where: { id, status: "requires_capture" }, data: { status: "succeeded" } });
    const row = await findDraw(id);
    if (count === 1 || row.status === "succeeded") return toInfo(row);
    return unexpected(row, "captured");
  },
  async cancel(id) {
    return db.$transaction(async (tx) => {
      const row = await tx.insuranceDraw.findUnique({ where: { id } });
      if (!row) throw new PaymentProviderError(`Coverage: no such draw: '${id}'`, "resource_missing", false);
      if (row.status === "canceled") return toInfo(row);
      if (row.status !== "requires_capture") return unexpected(row, "canceled");
      await lockSubscription(tx, row.subscriptionId);
      const { count } = await tx.insuranceDraw.updateMany({ where: { id, status: "requires_capture" }, data: { status: "canceled" } });
      if (count === 1) {
        await addEntry(tx, {
          subscriptionId: row.subscriptionId,
          amountCents: row.amountCents,
          kind: "refund",
          reference: `refund:${row.escalationId}`,
          escalationId: row.escalationId,
        });
        await recordMoneyEvent(tx, {
          kind: "coverage_return",
          amountCents: row.amountCents,
          currency: row.currency,
          escalationId: row.escalationId,
          subscriptionId: row.subscriptionId,
          reference: `coverage-return:${row.id}`,
        });
      }
      return toInfo({ ...row, status: "canceled" });
    });
  },
};
