import { describe, expect, it } from "vitest";
import { resetEnvForTests } from "~/env.server";
import { startEscalation } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { runSettlementJobs, SETTLE_QUEUE } from "~/models/payments/payment.server";
import { expireIfDue } from "~/models/tickets/clock.server";
import { acceptTicket, getTicket, rejectTicket, retryPayment } from "~/models/tickets/ticket.server";
import { db } from "~/services/db.server";
import { runOnce } from "~/services/jobs.server";
import { useTestDatabase } from "../helpers/database";
import { makeUser } from "../helpers/factories";
import { gate, STRIPE_TEST_ENV, useFakeStripeWorld } from "../helpers/support-world";

useTestDatabase();

const origin = "https://forum.example.com";
// Links come from the configured origin (PUBLIC_URL), never from a request.
process.env.PUBLIC_URL = origin;
resetEnvForTests();

const ctx = useFakeStripeWorld();

let events = 0;
/** The member pays on Stripe's page and Stripe reports checkout.session.completed. */
async function paid(member = ctx.world.owner, tier = "standard", now = new Date()) {
  const { escalationId } = await startEscalation(member, ctx.world.thread.id, gate({ tier }));
  const { checkoutSessionId } = await db.escalation.findUniqueOrThrow({ where: { id: escalationId } });
  const session = ctx.stripe.completeSession(checkoutSessionId!);
  await applyPaymentEvent(
    {
      id: `evt_provider_${++events}`,
      provider: "stripe",
      type: "checkout.completed",
      sessionId: session.id,
      paymentIntentId: session.payment_intent,
      escalationId,
    },
    now,
  );
  const ticket = await db.ticket.findUniqueOrThrow({ where: { escalationId } });
  return { escalationId, ticketId: ticket.id, paymentIntentId: session.payment_intent! };
}

describe("Stripe Checkout through the official SDK", () => {
  it("creates a payment-mode session that only authorises the card, tied to the escalation, priced from the tier", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const { escalationId, checkoutUrl } = await startEscalation(member, ctx.world.thread.id, gate({ tier: "priority" }));
    const [request, ...more] = ctx.stripe.calls("POST", /^\/v1\/checkout\/sessions$/);
    expect(more).toEqual([]);
    const back = `${origin}/escalate/${ctx.world.thread.id}?escalation=${escalationId}`;
    expect(request!.body).toEqual({
      mode: "payment",
      line_items: [
        {
          price_data: {
            currency: "usd",
            unit_amount: "14900",
            product_data: {
              name: "Priority support ticket",
              description: "First response within 12 hours. You are charged only if the maintainer accepts the ticket.",
            },
          },
          quantity: "1",
        },
      ],
      payment_intent_data: { capture_method: "manual", metadata: { escalationId }, description: "Priority support ticket" },
      client_reference_id: escalationId,
      metadata: { escalationId },
      customer_email: member.email,
      success_url: `${back}&checkout=success`,
      cancel_url: `${back}&checkout=cancelled`,
    });
    expect(request!.idempotencyKey).toBe(`checkout-${escalationId}`);
    expect(request!.authorization).toBe(`Bearer ${STRIPE_TEST_ENV.STRIPE_SECRET_KEY}`);
    const escalation = await db.escalation.findUniqueOrThrow({ where: { id: escalationId } });
    expect(escalation).toMatchObject({ provider: "stripe", state: "checkout_open", amountCents: 14900 });
    expect(checkoutUrl).toBe(`https://checkout.stripe.test/c/pay/${escalation.checkoutSessionId}`);
  });

  it("charges the tier's Stripe Price when the admin set one", async () => {
    await db.tier.update({ where: { slug: "standard" }, data: { stripePriceId: "price_standard49" } });
    ctx.stripe.prices.set("price_standard49", { unit_amount: 4900, currency: "usd" });
    try {
      await startEscalation(await makeUser({ role: "member", trustLevel: 0 }), ctx.world.thread.id, gate());
      expect(ctx.stripe.calls("POST", /^\/v1\/checkout\/sessions$/)[0]!.body.line_items).toEqual([
        { price: "price_standard49", quantity: "1" },
      ]);
    } finally {
      await db.tier.update({ where: { slug: "standard" }, data: { stripePriceId: null } });
    }
  });

  it("surfaces Stripe's refusal to open a checkout as 502, and nothing is charged", async () => {
    ctx.stripe.failNext("POST", /^\/v1\/checkout\/sessions$/, {
      status: 400,
      code: "amount_too_small",
      message: "Amount must be at least $0.50 usd",
    });
    const member = await makeUser({ role: "member", trustLevel: 0 });
    await expect(startEscalation(member, ctx.world.thread.id, gate())).rejects.toMatchObject({
      status: 502,
      code: "payment_provider_error",
      message: expect.stringContaining("Amount must be at least $0.50 usd"),
    });
    const escalation = await db.escalation.findFirstOrThrow({ where: { userId: member.id } });
    expect(escalation).toMatchObject({ state: "gate_passed", checkoutSessionId: null });
  });
});

describe("moving the money on the maintainer's decision", () => {
  it("creates the ticket only after confirming the PaymentIntent is requires_capture", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const { escalationId } = await startEscalation(member, ctx.world.thread.id, gate());
    const { checkoutSessionId } = await db.escalation.findUniqueOrThrow({ where: { id: escalationId } });
    const session = ctx.stripe.completeSession(checkoutSessionId!);
    expect(session.payment_status).toBe("unpaid");
    // A status fulfilment has no rule for stays retried (processing and succeeded have theirs: test/models/checkout-outcomes.test.ts).
    ctx.stripe.intents.get(session.payment_intent!)!.status = "requires_action";
    const event = {
      id: "evt_not_yet",
      provider: "stripe" as const,
      type: "checkout.completed" as const,
      sessionId: session.id,
      paymentIntentId: session.payment_intent,
      escalationId,
    };
    await expect(applyPaymentEvent(event)).rejects.toThrow(/not requires_capture/);
    expect(await db.ticket.count({ where: { escalationId } })).toBe(0);
    expect(ctx.stripe.calls("GET", new RegExp(`/v1/payment_intents/${session.payment_intent}$`))).toHaveLength(1);

    ctx.stripe.intents.get(session.payment_intent!)!.status = "requires_capture";
    expect(await applyPaymentEvent(event)).toBe("applied");
    expect(await db.ticket.count({ where: { escalationId } })).toBe(1);
  });

  it("captures on accept, exactly once", async () => {
    const { ticketId, paymentIntentId } = await paid(await makeUser({ role: "member", trustLevel: 0 }));
    expect(ctx.stripe.calls("POST", /\/capture$/)).toHaveLength(0);
    const ticket = await acceptTicket(ctx.world.maintainer, ticketId);
    expect(ticket.payment).toMatchObject({ status: "captured", amountCents: 4900, lastError: null });
    const captures = ctx.stripe.calls("POST", /\/capture$/);
    expect(captures.map((c) => c.path)).toEqual([`/v1/payment_intents/${paymentIntentId}/capture`]);
    expect(captures[0]!.idempotencyKey).toMatch(/^capture-/);
    expect(ctx.stripe.intents.get(paymentIntentId)!.status).toBe("succeeded");
    expect(ctx.stripe.calls("POST", /\/cancel$/)).toHaveLength(0);
  });

  it("cancels the PaymentIntent on reject: the member is not charged", async () => {
    const { ticketId, paymentIntentId } = await paid(await makeUser({ role: "member", trustLevel: 0 }));
    const ticket = await rejectTicket(ctx.world.maintainer, ticketId, {
      reason: "careless",
      message: "Please include the logs next time.",
    });
    expect(ticket.payment).toMatchObject({ status: "canceled" });
    expect(ctx.stripe.calls("POST", /\/cancel$/).map((c) => c.path)).toEqual([`/v1/payment_intents/${paymentIntentId}/cancel`]);
    expect(ctx.stripe.intents.get(paymentIntentId)!.status).toBe("canceled");
    expect(ctx.stripe.calls("POST", /\/capture$/)).toHaveLength(0);
  });

  it("cancels the PaymentIntent when the ticket expires", async () => {
    const paidAt = new Date();
    const { ticketId, paymentIntentId } = await paid(await makeUser({ role: "member", trustLevel: 0 }), "priority", paidAt);
    expect(await expireIfDue(ticketId, new Date(paidAt.getTime() + 12 * 3_600_000))).toBe(true);
    expect(ctx.stripe.calls("POST", /\/cancel$/).map((c) => c.path)).toEqual([`/v1/payment_intents/${paymentIntentId}/cancel`]);
    expect((await db.payment.findFirstOrThrow({ where: { ticketId } })).status).toBe("canceled");
  });

  it("shows a failed capture to the desk and retries it until Stripe takes it", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const { ticketId, paymentIntentId } = await paid(member);
    ctx.stripe.failNext("POST", /\/capture$/, { status: 500, message: "An unknown error occurred" });
    const ticket = await acceptTicket(ctx.world.maintainer, ticketId);
    expect(ticket.state).toBe("open");
    expect(ticket.payment).toMatchObject({ status: "capture_pending", lastError: "Stripe: An unknown error occurred" });
    expect((await getTicket(member, ticketId)).payment).toEqual({
      status: "capture_pending",
      summary: expect.any(String),
      funding: "card",
      amountCents: 4900,
      currency: "usd",
      refundedCents: 0,
    });

    await db.job.updateMany({ where: { queue: SETTLE_QUEUE, state: "pending" }, data: { runAt: new Date(Date.now() - 1000) } });
    while (await runOnce(SETTLE_QUEUE, runSettlementJobs, 1));
    expect(await db.payment.findFirstOrThrow({ where: { ticketId } })).toMatchObject({ status: "captured", lastError: null, attempts: 2 });
    expect(ctx.stripe.calls("POST", /\/capture$/)).toHaveLength(2);
    expect(ctx.stripe.intents.get(paymentIntentId)!.status).toBe("succeeded");
  });

  it("does not count a capture as failed when only Stripe's answer was lost", async () => {
    const { ticketId } = await paid(await makeUser({ role: "member", trustLevel: 0 }));
    ctx.stripe.failNext("POST", /\/capture$/, { status: 500, message: "connection reset", afterApplying: true });
    const ticket = await acceptTicket(ctx.world.maintainer, ticketId);
    expect(ticket.payment).toMatchObject({ status: "captured", lastError: null });
    expect(ctx.stripe.calls("POST", /\/capture$/)).toHaveLength(1);
  });

  it("marks a capture Stripe refuses for good as failed, tells the desk, and lets the maintainer retry", async () => {
    const { ticketId, paymentIntentId } = await paid(await makeUser({ role: "member", trustLevel: 0 }));
    ctx.stripe.intents.get(paymentIntentId)!.status = "canceled";
    const ticket = await acceptTicket(ctx.world.maintainer, ticketId);
    expect(ticket.payment).toMatchObject({ status: "capture_failed", lastError: expect.stringContaining("status of canceled") });
    const alert = await db.notification.findFirst({
      where: { userId: ctx.world.maintainer.id, url: `/tickets/${ticketId}`, title: { contains: "capture failed" } },
    });
    expect(alert).toMatchObject({ lane: "desk" });

    ctx.stripe.intents.get(paymentIntentId)!.status = "requires_capture";
    const retried = await retryPayment(ctx.world.maintainer, ticketId);
    expect(retried.payment).toMatchObject({ status: "captured" });
    await expect(retryPayment(ctx.world.maintainer, ticketId)).rejects.toMatchObject({ status: 409 });
  });
});
