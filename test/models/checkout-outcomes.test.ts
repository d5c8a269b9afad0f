import { describe, expect, it } from "vitest";
import { sweepOpenCheckouts } from "~/models/escalation/checkout-sweep.server";
import { startEscalation } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { expireIfDue } from "~/models/tickets/clock.server";
import { acceptTicket, getTicket, rejectTicket } from "~/models/tickets/ticket.server";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { makeUser } from "../helpers/factories";
import { gate, useFakeStripeWorld } from "../helpers/support-world";

// Checkouts whose PaymentIntent is not simply "requires_capture" when the
// webhook comes (already captured, still processing), and checkouts whose
// webhook never comes (docs/decisions/035).
useTestDatabase();

const H = 3_600_000;
const ctx = useFakeStripeWorld();

let events = 0;
async function openCheckout() {
  const member = await makeUser({ role: "member", trustLevel: 0 });
  const { escalationId } = await startEscalation(member, ctx.world.thread.id, gate());
  const { checkoutSessionId } = await db.escalation.findUniqueOrThrow({ where: { id: escalationId } });
  return { member, escalationId, sessionId: checkoutSessionId! };
}
const completed = (sessionId: string, paymentIntentId: string | null, escalationId: string) =>
  ({ id: `evt_outcome_${++events}`, provider: "stripe", type: "checkout.completed", sessionId, paymentIntentId, escalationId }) as const;
const calls = (pi: string, verb: "capture" | "cancel") => ctx.stripe.calls("POST", new RegExp(`/v1/payment_intents/${pi}/${verb}$`)).length;

describe("a PaymentIntent already captured outside Backline", () => {
  it("is recorded as a paid ticket, never captured or released again, and rejecting it asks for a refund first", async () => {
    const { member, escalationId, sessionId } = await openCheckout();
    const session = ctx.stripe.completeSession(sessionId, { intentStatus: "succeeded" });
    const pi = session.payment_intent!;
    expect(await applyPaymentEvent(completed(sessionId, pi, escalationId))).toBe("applied");

    const ticket = await db.ticket.findUniqueOrThrow({ where: { escalationId } });
    expect((await getTicket(member, ticket.id)).payment?.status).toBe("captured");
    const trail = await db.moneyEvent.findMany({ where: { ticketId: ticket.id }, select: { kind: true, amountCents: true } });
    expect(trail).toEqual([{ kind: "captured_elsewhere", amountCents: session.amount_total }]);
    const desk = await db.notification.findMany({
      where: { userId: ctx.world.maintainer.id, url: `/tickets/${ticket.id}` },
      select: { title: true },
    });
    expect(desk.map((n) => n.title)).toContainEqual(expect.stringMatching(/already captured outside Backline/));

    await expect(
      rejectTicket(ctx.world.maintainer, ticket.id, { reason: "out_of_scope", message: "This is outside what we support here." }),
    ).rejects.toMatchObject({ status: 409, message: expect.stringMatching(/Refund the payment first/) });
    expect(calls(pi, "cancel")).toBe(0);

    const accepted = await acceptTicket(ctx.world.maintainer, ticket.id);
    expect(accepted).toMatchObject({ state: "open", payment: { status: "captured" } });
    expect(calls(pi, "capture")).toBe(0);
  });
});

describe("a ticket captured outside Backline whose promise is missed", () => {
  it("expires like any other and gives the money back in full, once", async () => {
    const { member, escalationId, sessionId } = await openCheckout();
    const session = ctx.stripe.completeSession(sessionId, { intentStatus: "succeeded" });
    expect(await applyPaymentEvent(completed(sessionId, session.payment_intent, escalationId))).toBe("applied");
    const ticket = await db.ticket.findUniqueOrThrow({ where: { escalationId } });
    const late = new Date(ticket.deadlineAt.getTime() + 60_000);
    expect(await expireIfDue(ticket.id, late)).toBe(true);
    expect(await expireIfDue(ticket.id, late)).toBe(false);

    const view = await getTicket(member, ticket.id);
    expect(view).toMatchObject({ state: "expired", payment: { status: "refunded", refundedCents: session.amount_total } });
    expect(ctx.stripe.calls("POST", /\/v1\/refunds$/).filter((c) => c.body.payment_intent === session.payment_intent)).toHaveLength(1);
    const notice = await db.notification.findFirstOrThrow({
      where: { userId: member.id, url: `/tickets/${ticket.id}`, title: { contains: "expired" } },
    });
    expect(notice.title).toMatch(/refunded in full/);
  });
});

describe("a second checkout for the thread, captured outside Backline", () => {
  it("is given back in full: recorded, refunded at Stripe once, never released (it cannot be) or kept", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const first = await startEscalation(member, ctx.world.thread.id, gate());
    // Stripe does not answer the expiry of the first checkout: both stay payable.
    ctx.stripe.failNext("POST", /\/expire$/, { status: 500, message: "Stripe is having a moment" });
    const second = await startEscalation(member, ctx.world.thread.id, gate());
    const sessionOf = async (id: string) => (await db.escalation.findUniqueOrThrow({ where: { id } })).checkoutSessionId!;
    const a = ctx.stripe.completeSession(await sessionOf(first.escalationId));
    const b = ctx.stripe.completeSession(await sessionOf(second.escalationId), { intentStatus: "succeeded" });
    expect(await applyPaymentEvent(completed(a.id, a.payment_intent, first.escalationId))).toBe("applied");
    expect(await applyPaymentEvent(completed(b.id, b.payment_intent, second.escalationId))).toBe("applied");

    expect(await db.ticket.count({ where: { ownerId: member.id } })).toBe(1);
    expect(await db.payment.findFirstOrThrow({ where: { escalationId: second.escalationId } })).toMatchObject({
      status: "captured",
      ticketId: null,
    });
    const trail = await db.moneyEvent.findMany({
      where: { escalationId: second.escalationId },
      orderBy: { createdAt: "asc" },
      select: { kind: true },
    });
    expect(trail.map((e) => e.kind)).toEqual(["captured_elsewhere", "refund_requested", "refunded"]);
    expect(await db.payment.findFirstOrThrow({ where: { escalationId: second.escalationId } })).toMatchObject({
      refundedCents: b.amount_total,
    });
    expect(ctx.stripe.calls("POST", /\/v1\/refunds$/).filter((c) => c.body.payment_intent === b.payment_intent)).toHaveLength(1);
    expect(calls(b.payment_intent!, "cancel")).toBe(0);
    // Delivered again, nothing more is refunded.
    expect(await applyPaymentEvent(completed(b.id, b.payment_intent, second.escalationId))).not.toBe("applied");
    expect(ctx.stripe.calls("POST", /\/v1\/refunds$/).filter((c) => c.body.payment_intent === b.payment_intent)).toHaveLength(1);
  });
});

describe("a PaymentIntent still processing", () => {
  it("answers pending (no retry storm) and becomes a ticket when Stripe says it is authorised", async () => {
    const { escalationId, sessionId } = await openCheckout();
    const pi = ctx.stripe.completeSession(sessionId, { intentStatus: "processing" }).payment_intent!;
    expect(await applyPaymentEvent(completed(sessionId, pi, escalationId))).toBe("pending");
    expect(await db.ticket.count({ where: { escalationId } })).toBe(0);

    ctx.stripe.moveIntent(pi, "requires_capture");
    const ready = {
      id: `evt_outcome_${++events}`,
      provider: "stripe",
      type: "payment_intent.ready",
      paymentIntentId: pi,
      escalationId,
    } as const;
    expect(await applyPaymentEvent(ready)).toBe("applied");
    const payment = await db.payment.findFirstOrThrow({ where: { escalationId } });
    expect(payment).toMatchObject({ status: "authorized", paymentIntentId: pi });
    expect(payment.captureBefore).toBeInstanceOf(Date);
  });
});

describe("the sweep of checkouts whose webhook never came", () => {
  it("fulfils a paid checkout an hour on through the same path as the webhook, which is a duplicate afterwards", async () => {
    const { escalationId, sessionId } = await openCheckout();
    const pi = ctx.stripe.completeSession(sessionId).payment_intent!;
    // Within the hour the webhook still has its chance: the sweep leaves it.
    await sweepOpenCheckouts(new Date(Date.now() + 0.5 * H));
    expect(await db.ticket.count({ where: { escalationId } })).toBe(0);

    const result = await sweepOpenCheckouts(new Date(Date.now() + 2 * H));
    expect(result.fulfilled).toBeGreaterThanOrEqual(1);
    expect(await db.payment.findFirstOrThrow({ where: { escalationId } })).toMatchObject({ status: "authorized", paymentIntentId: pi });
    expect(await db.ticket.count({ where: { escalationId } })).toBe(1);
    expect(ctx.stripe.calls("GET", new RegExp(`/v1/checkout/sessions/${sessionId}$`))[0]?.body.expand).toEqual(["payment_intent"]);

    expect(await applyPaymentEvent(completed(sessionId, pi, escalationId))).toBe("duplicate");
    expect(await db.ticket.count({ where: { escalationId } })).toBe(1);
  });

  it("closes an escalation whose checkout expired without a word from Stripe", async () => {
    const { escalationId, sessionId } = await openCheckout();
    ctx.stripe.expireSession(sessionId);
    await sweepOpenCheckouts(new Date(Date.now() + 2 * H));
    expect((await db.escalation.findUniqueOrThrow({ where: { id: escalationId } })).state).toBe("expired");
  });

  it("leaves a checkout the member still has open", async () => {
    const { escalationId } = await openCheckout();
    await sweepOpenCheckouts(new Date(Date.now() + 2 * H));
    expect((await db.escalation.findUniqueOrThrow({ where: { id: escalationId } })).state).toBe("checkout_open");
  });
});
