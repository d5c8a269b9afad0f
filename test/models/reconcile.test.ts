import { describe, expect, it } from "vitest";
import { startEscalation } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { createPlan } from "~/models/insurance/plans.server";
import { SETTLE_QUEUE } from "~/models/payments/payment.server";
import { reconcilePayments } from "~/models/payments/reconcile.server";
import { acceptTicket } from "~/models/tickets/ticket.server";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { makeUser } from "../helpers/factories";
import { gate, useFakeStripeWorld } from "../helpers/support-world";

// payments:reconcile against the Stripe fake, with our records deliberately
// diverged from what Stripe holds: each difference is reported, --fix repairs
// the safe ones, and what needs a person stays (and keeps the exit code non-zero).
useTestDatabase();
const ctx = useFakeStripeWorld();

let events = 0;
async function ticket(accept: boolean) {
  const member = await makeUser({ role: "member", trustLevel: 0 });
  const { escalationId } = await startEscalation(member, ctx.world.thread.id, gate());
  const { checkoutSessionId } = await db.escalation.findUniqueOrThrow({ where: { id: escalationId } });
  const session = ctx.stripe.completeSession(checkoutSessionId!);
  await applyPaymentEvent({
    id: `evt_rec_${++events}`,
    provider: "stripe",
    type: "checkout.completed",
    sessionId: session.id,
    paymentIntentId: session.payment_intent,
    escalationId,
  });
  const t = await db.ticket.findUniqueOrThrow({ where: { escalationId } });
  if (accept) await acceptTicket(ctx.world.maintainer, t.id);
  const payment = await db.payment.findFirstOrThrow({ where: { ticketId: t.id } });
  return { ticketId: t.id, paymentId: payment.id, pi: session.payment_intent! };
}

const mine = (lines: string[], paymentId: string) => lines.filter((l) => l.includes(paymentId));

describe("payments:reconcile", () => {
  it("reports each difference, fixes the safe ones, and leaves what needs a person", async () => {
    // 1. Captured at Stripe, but our record never heard (the capture's answer was lost for good).
    const lostCapture = await ticket(true);
    await db.payment.update({ where: { id: lostCapture.paymentId }, data: { status: "capture_failed" } });
    // 2. Refunded in the dashboard with the webhook never delivered.
    const dashboard = await ticket(true);
    ctx.stripe.refundInDashboard(dashboard.pi, 1500);
    // 3. We released it, but the hold is still open at Stripe.
    const openHold = await ticket(false);
    await db.payment.update({ where: { id: openHold.paymentId }, data: { status: "canceled" } });
    // 4. We count it captured, Stripe released it: nobody may guess which is right.
    const released = await ticket(false);
    ctx.stripe.intents.get(released.pi)!.status = "canceled";
    await db.payment.update({ where: { id: released.paymentId }, data: { status: "captured" } });
    // 5. In agreement.
    const fine = await ticket(true);

    const dry = await reconcilePayments({ fix: false });
    expect(mine(dry.differences, lostCapture.paymentId)).toEqual([
      expect.stringContaining("the provider captured it, we say capture_failed"),
    ]);
    expect(mine(dry.differences, dashboard.paymentId)).toEqual([
      expect.stringMatching(/refund re_\w+ of \$15\.00 at the provider is not recorded here/),
    ]);
    expect(mine(dry.differences, openHold.paymentId)).toEqual([
      expect.stringContaining("we decided to release it, the hold is still open"),
    ]);
    expect(mine(dry.differences, released.paymentId)).toEqual([expect.stringContaining("the member was never charged")]);
    expect(mine(dry.differences, fine.paymentId)).toEqual([]);
    expect(dry.fixed).toEqual([]);
    expect(dry.remaining).toBeGreaterThanOrEqual(4);
    // A dry run changes nothing.
    expect((await db.payment.findUniqueOrThrow({ where: { id: lostCapture.paymentId } })).status).toBe("capture_failed");

    const fixed = await reconcilePayments({ fix: true });
    expect(mine(fixed.fixed, lostCapture.paymentId)).toEqual([expect.stringContaining("recorded as captured")]);
    expect(mine(fixed.fixed, dashboard.paymentId)).toEqual([expect.stringContaining("made at the provider: recorded")]);
    expect(mine(fixed.fixed, openHold.paymentId)).toEqual([expect.stringContaining("release queued")]);
    expect(mine(fixed.fixed, released.paymentId)).toEqual([]);

    expect(await db.payment.findUniqueOrThrow({ where: { id: lostCapture.paymentId } })).toMatchObject({ status: "captured" });
    expect(await db.payment.findUniqueOrThrow({ where: { id: dashboard.paymentId } })).toMatchObject({ refundedCents: 1500 });
    expect(await db.refund.findFirstOrThrow({ where: { paymentId: dashboard.paymentId } })).toMatchObject({
      source: "provider",
      status: "succeeded",
      amountCents: 1500,
    });
    expect(await db.payment.findUniqueOrThrow({ where: { id: openHold.paymentId } })).toMatchObject({ status: "cancel_pending" });
    expect(await db.job.count({ where: { queue: SETTLE_QUEUE, dedupeKey: `payment:${openHold.paymentId}`, state: "pending" } })).toBe(1);
    expect(
      await db.moneyEvent.count({ where: { paymentId: lostCapture.paymentId, kind: "captured", reference: { startsWith: "reconcile:" } } }),
    ).toBe(1);

    // Run again: only what needs a person is left, and it is still reported.
    const again = await reconcilePayments({ fix: true });
    expect(again.fixed.filter((l) => [lostCapture, dashboard].some((t) => l.includes(t.paymentId)))).toEqual([]);
    expect(mine(again.differences, released.paymentId)).toHaveLength(1);
    expect(again.remaining).toBeGreaterThanOrEqual(1);
  });

  it("records a chargeback whose webhooks were lost, opened and then closed, and tells the desk", async () => {
    const disputed = await ticket(true);
    const fine = await ticket(true);
    // The member disputes the charge; Stripe's charge.dispute.created never arrives.
    const opened = ctx.stripe.openDispute(disputed.pi);
    const disputeId = (opened.data.object as { id: string }).id;

    const dry = await reconcilePayments({ fix: false });
    expect(mine(dry.differences, disputed.paymentId)).toEqual([
      expect.stringContaining(`dispute ${disputeId} over $49.00 (needs_response) at the provider is not recorded here`),
    ]);
    expect(mine(dry.differences, fine.paymentId)).toEqual([]);
    expect((await db.payment.findUniqueOrThrow({ where: { id: disputed.paymentId } })).disputeId).toBeNull();

    const fixed = await reconcilePayments({ fix: true });
    expect(mine(fixed.fixed, disputed.paymentId)).toEqual([expect.stringContaining(`dispute ${disputeId} recorded (needs_response)`)]);
    expect(await db.payment.findUniqueOrThrow({ where: { id: disputed.paymentId } })).toMatchObject({
      disputeId,
      disputeStatus: "needs_response",
      disputedCents: 4900,
    });
    expect(await db.moneyEvent.count({ where: { paymentId: disputed.paymentId, kind: "dispute_opened" } })).toBe(1);
    expect(await db.notification.count({ where: { lane: "desk", title: { contains: "disputed $49.00" } } })).toBeGreaterThan(0);

    // The bank decides; charge.dispute.closed is lost too.
    ctx.stripe.closeDispute(disputeId, "lost");
    const later = await reconcilePayments({ fix: false });
    expect(mine(later.differences, disputed.paymentId)).toEqual([
      expect.stringContaining(`the provider says dispute ${disputeId} over $49.00 is lost, we say needs_response`),
    ]);
    await reconcilePayments({ fix: true });
    expect((await db.payment.findUniqueOrThrow({ where: { id: disputed.paymentId } })).disputeStatus).toBe("lost");
    expect(await db.moneyEvent.count({ where: { paymentId: disputed.paymentId, kind: "dispute_closed" } })).toBe(1);

    // In agreement now, and a second run applies nothing twice.
    const again = await reconcilePayments({ fix: true });
    expect(mine(again.differences, disputed.paymentId)).toEqual([]);
    expect(
      await db.moneyEvent.count({ where: { paymentId: disputed.paymentId, kind: { in: ["dispute_opened", "dispute_closed"] } } }),
    ).toBe(2);
  });

  it("reports a dispute we record that the provider does not have", async () => {
    const phantom = await ticket(true);
    await db.payment.update({ where: { id: phantom.paymentId }, data: { disputeId: "dp_unknown", disputeStatus: "needs_response" } });
    const report = await reconcilePayments({ fix: true });
    expect(mine(report.differences, phantom.paymentId)).toEqual([
      expect.stringContaining("we record dispute dp_unknown (needs_response), the provider has none; check the dashboard"),
    ]);
    expect(mine(report.fixed, phantom.paymentId)).toEqual([]);
  });

  it("reports a plan invoice Stripe was paid for that credited nothing, and a credit Stripe has no paid invoice for", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const plan = await createPlan(ctx.world.admin, {
      name: "Reconciled cover",
      priceCents: 50000,
      coverageCents: 20000,
      currency: "usd",
      active: "on",
    });
    const sub = { id: `sub_rec_${Date.now()}`, object: "subscription" as const, status: "active", metadata: {} };
    ctx.stripe.subscriptions.set(sub.id, sub);
    const insurance = await db.insuranceSubscription.create({
      data: {
        userId: member.id,
        planId: plan.id,
        status: "active",
        provider: "stripe",
        stripeSubscriptionId: sub.id,
        currentPeriodEnd: new Date(Date.now() + 300 * 86_400_000),
      },
    });
    const credited = ctx.stripe.payInvoice(sub.id, { amount: 50000 });
    const lost = ctx.stripe.payInvoice(sub.id, { amount: 50000 });
    await db.coverageEntry.createMany({
      data: [
        { subscriptionId: insurance.id, kind: "credit", amountCents: 20000, reference: `invoice:${credited.id}` },
        { subscriptionId: insurance.id, kind: "credit", amountCents: 20000, reference: "invoice:in_never_paid" },
      ],
    });
    const report = await reconcilePayments({ fix: true });
    expect(report.differences.filter((l) => l.includes(insurance.id))).toEqual([
      `plan ${insurance.id} (stripe ${sub.id}): invoice ${lost.id} was paid at Stripe but credited no coverage; resend its invoice.paid event from the dashboard`,
      `plan ${insurance.id} (stripe ${sub.id}): coverage credited for in_never_paid, which Stripe does not show as paid; check the plan's ledger`,
    ]);
    expect(report.remaining).toBeGreaterThanOrEqual(2);
  });
});
