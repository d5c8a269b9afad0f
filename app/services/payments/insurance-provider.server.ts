import { db } from "~/services/db.server";
import { addEntry, lockSubscription } from "~/models/insurance/coverage-ledger.server";
import { recordMoneyEvent } from "~/models/payments/money-trail.server";
import { localIntentInfo, type LocalIntentRow } from "./local-intent";
import { PaymentProviderError, type PaymentProvider } from "./types";

// Escalations paid from support insurance (docs/decisions/016). The drawdown is
// a ledger debit written when the member escalates; this provider gives it a
// PaymentIntent's life so the ticket flow is unchanged: accepting "captures"
// (the debit stands), rejecting or expiring "cancels" (a refund entry returns
// the amount to the coverage, exactly once).

const TICKET_REFUND = "ticket-refund:";

type Draw = LocalIntentRow;

// The draw is written when the member escalates: coverage pays at that moment, however late the ticket is created.
// Coverage is drawn, not held on a card: nothing lapses.
const toInfo = (row: Draw) => localIntentInfo(row, null);

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
  /**
   * A refund of a covered ticket returns the amount to the coverage it came from, while that plan
   * is still active; once it has ended there is nothing to return it to (docs/decisions/036).
   */
  async refundPayment(req) {
    return db.$transaction(async (tx) => {
      const draw = await tx.insuranceDraw.findUnique({ where: { id: req.paymentIntentId }, include: { subscription: true } });
      if (!draw) throw new PaymentProviderError(`Coverage: no such draw: '${req.paymentIntentId}'`, "resource_missing", false);
      const plan = draw.subscription;
      if (plan.status !== "active" || plan.currentPeriodEnd <= new Date()) {
        throw new PaymentProviderError(
          "The member's support plan has ended: there is no coverage to return the amount to.",
          "plan_ended",
          false,
        );
      }
      await lockSubscription(tx, plan.id);
      const reference = `${TICKET_REFUND}${req.refundId}`;
      await addEntry(tx, {
        subscriptionId: plan.id,
        amountCents: req.amountCents,
        kind: "refund",
        reference,
        escalationId: draw.escalationId,
      });
      return { id: reference, amountCents: req.amountCents, status: "succeeded", refundId: req.refundId };
    });
  },
  async listRefunds(drawId) {
    const draw = await findDraw(drawId);
    const rows = await db.coverageEntry.findMany({
      where: { escalationId: draw.escalationId, kind: "refund", reference: { startsWith: TICKET_REFUND } },
    });
    return rows.map((r) => {
      const reference = r.reference ?? "";
      return { id: reference, amountCents: r.amountCents, status: "succeeded", refundId: reference.slice(TICKET_REFUND.length) };
    });
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
