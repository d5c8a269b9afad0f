import { describe, expect, it } from "vitest";
import { startEscalation } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { acceptTicket } from "~/models/tickets/ticket.server";
import { REFUND_QUEUE, requestTicketRefund, runRefundJobs } from "~/models/tickets/refund.server";
import { db } from "~/services/db.server";
import { runOnce } from "~/services/jobs.server";
import { useTestDatabase } from "../helpers/database";
import { makeUser } from "../helpers/factories";
import { gate, useFakeStripeWorld } from "../helpers/support-world";

// The refund job against the Stripe fake: lost answers and refusals.
useTestDatabase();
const ctx = useFakeStripeWorld();

let events = 0;
async function captured() {
  const member = await makeUser({ role: "member", trustLevel: 0 });
  const { escalationId } = await startEscalation(member, ctx.world.thread.id, gate());
  const { checkoutSessionId } = await db.escalation.findUniqueOrThrow({ where: { id: escalationId } });
  const session = ctx.stripe.completeSession(checkoutSessionId!);
  await applyPaymentEvent({
    id: `evt_refund_${++events}`,
    provider: "stripe",
    type: "checkout.completed",
    sessionId: session.id,
    paymentIntentId: session.payment_intent,
    escalationId,
  });
  const ticket = await db.ticket.findUniqueOrThrow({ where: { escalationId } });
  await acceptTicket(ctx.world.maintainer, ticket.id);
  return { ticketId: ticket.id, pi: session.payment_intent! };
}

const runDueRefunds = async () => {
  await db.job.updateMany({ where: { queue: REFUND_QUEUE, state: "pending" }, data: { runAt: new Date(Date.now() - 1000) } });
  while (await runOnce(REFUND_QUEUE, runRefundJobs, 1));
};

describe("the refund job", () => {
  it("a refund Stripe made but whose answer was lost is adopted on retry, never sent twice", async () => {
    const { ticketId, pi } = await captured();
    ctx.stripe.failNext("POST", /^\/v1\/refunds$/, { status: 500, message: "An unknown error occurred", afterApplying: true });
    const refundId = await requestTicketRefund(ctx.world.maintainer, ticketId, { amountCents: 2000, reason: "Half back for the delay." });
    expect(await db.refund.findUniqueOrThrow({ where: { id: refundId } })).toMatchObject({
      status: "pending",
      lastError: "Stripe: An unknown error occurred",
    });

    await runDueRefunds();
    expect(await db.refund.findUniqueOrThrow({ where: { id: refundId } })).toMatchObject({
      status: "succeeded",
      providerRefundId: expect.stringMatching(/^re_/),
    });
    expect(ctx.stripe.calls("POST", /^\/v1\/refunds$/)).toHaveLength(1);
    const charge = ctx.stripe.charges.get(ctx.stripe.intents.get(pi)!.latest_charge!)!;
    expect(charge.amount_refunded).toBe(2000);
    expect(await db.payment.findFirstOrThrow({ where: { ticketId } })).toMatchObject({ refundedCents: 2000 });
  });

  it("a refund Stripe refuses for good is marked failed, tells the desk and frees the amount again", async () => {
    const { ticketId } = await captured();
    ctx.stripe.failNext("POST", /^\/v1\/refunds$/, { status: 400, message: "This charge is being disputed and cannot be refunded." });
    const refundId = await requestTicketRefund(ctx.world.maintainer, ticketId, { reason: "Refund everything please." });
    expect(await db.refund.findUniqueOrThrow({ where: { id: refundId } })).toMatchObject({
      status: "failed",
      lastError: expect.stringContaining("being disputed"),
    });
    expect(await db.moneyEvent.count({ where: { ticketId, kind: "refund_failed" } })).toBe(1);
    expect(await db.notification.count({ where: { userId: ctx.world.maintainer.id, title: { contains: "refund" } } })).toBeGreaterThan(0);
    // The failed refund holds nothing back: the whole amount can be refunded again.
    const again = await requestTicketRefund(ctx.world.maintainer, ticketId, { reason: "Second try after the dispute." });
    expect(await db.refund.findUniqueOrThrow({ where: { id: again } })).toMatchObject({ status: "succeeded", amountCents: 4900 });
  });
});
