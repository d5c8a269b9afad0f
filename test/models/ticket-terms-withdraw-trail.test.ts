import { describe, expect, it } from "vitest";
import { deskNumbers } from "~/models/desk/numbers.server";
import { deskQueue } from "~/models/desk/desk.server";
import { startEscalation } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { ticketMoneyTrail } from "~/models/payments/money-trail.server";
import { runSettlementJobs, settlePayment, SETTLE_QUEUE } from "~/models/payments/payment.server";
import { CLOCK_QUEUE, runClockJob } from "~/models/tickets/clock.server";
import { acceptTicket, getTicket, postMessage, rejectTicket, requestInfo, retryPayment } from "~/models/tickets/ticket.server";
import { withdrawTicket } from "~/models/tickets/withdraw.server";
import { updateTier } from "~/models/escalation/tier.server";
import { db } from "~/services/db.server";
import { gate, useFakeStripeWorld } from "../helpers/support-world";
import { makeUser } from "../helpers/factories";
import { useTestDatabase } from "../helpers/database";

// Issue 14: the clock after the first response (defect 4), the terms a ticket
// was sold with (defect 10), withdraw, and the money trail, on the real models
// against the Stripe fake, with time passed in.
useTestDatabase();
const H = 3_600_000;
const ctx = useFakeStripeWorld();
const t0 = new Date("2026-05-04T08:00:00Z");
const at = (hours: number) => new Date(t0.getTime() + hours * H);

let events = 0;
async function ticketPaidAt(paidAt: Date, tier = "standard") {
  const member = await makeUser({ role: "member", trustLevel: 0 });
  const { escalationId } = await startEscalation(member, ctx.world.thread.id, gate({ tier }));
  const { checkoutSessionId } = await db.escalation.findUniqueOrThrow({ where: { id: escalationId } });
  const session = ctx.stripe.completeSession(checkoutSessionId!);
  const event = {
    id: `evt_trail_${++events}`,
    provider: "stripe" as const,
    type: "checkout.completed" as const,
    sessionId: session.id,
    paymentIntentId: session.payment_intent,
    escalationId,
  };
  await applyPaymentEvent(event, paidAt);
  const ticket = await db.ticket.findUniqueOrThrow({ where: { escalationId } });
  return { member, ticketId: ticket.id, paymentIntentId: session.payment_intent!, event };
}

const releases = (pi: string) => ctx.stripe.calls("POST", new RegExp(`/v1/payment_intents/${pi}/cancel$`)).length;
const trailOf = async (ticketId: string) =>
  (await ticketMoneyTrail(ctx.world.maintainer, ticketId)).map((e) => ({
    kind: e.kind,
    actor: e.actor,
    amountCents: e.amountCents,
    reason: e.reason,
  }));

describe("the clock after acceptance (defect 4)", () => {
  it("a bare accept is not a response: the clock runs on and can go overdue", async () => {
    const { ticketId } = await ticketPaidAt(t0);
    const accepted = await acceptTicket(ctx.world.maintainer, ticketId, {}, at(1));
    expect(accepted.firstResponseAt).toBeNull();
    expect((await getTicket(ctx.world.maintainer, ticketId, at(50))).clock).toMatchObject({
      answered: false,
      timeLeftMs: -2 * H,
      urgency: "overdue",
      text: "overdue by 2 h",
    });
  });

  it("the first maintainer message stops the clock: “answered in 3 h 12 min”, days later too, on the ticket and the desk", async () => {
    const { member, ticketId } = await ticketPaidAt(t0);
    await acceptTicket(ctx.world.maintainer, ticketId, {}, at(1));
    await postMessage(ctx.world.maintainer, ticketId, { body: "Found it: the proxy strips the header." }, at(3.2));
    const later = await getTicket(member, ticketId, at(50));
    expect(new Date(later.firstResponseAt!).toISOString()).toBe(at(3.2).toISOString());
    expect(later.clock).toEqual({ paused: false, answered: true, timeLeftMs: null, urgency: null, text: "answered in 3 h 12 min" });
    const item = (await deskQueue(ctx.world.maintainer, {}, at(50))).items.find((i) => i.id === ticketId)!;
    expect(item.badge).toMatchObject({ level: "answered", text: "answered in 3 h 12 min" });
  });

  it("accept with a message is the first response", async () => {
    const { ticketId } = await ticketPaidAt(t0);
    const accepted = await acceptTicket(ctx.world.maintainer, ticketId, { message: "On it." }, at(2));
    expect(accepted.clock).toMatchObject({ answered: true, timeLeftMs: null, text: "answered in 2 h" });
  });

  it("asking before accepting pauses the clock, no job expires it, and the member's answer returns it to awaiting acceptance", async () => {
    const { member, ticketId, paymentIntentId } = await ticketPaidAt(t0);
    const asked = await requestInfo(ctx.world.maintainer, ticketId, { message: "Which proxy sits in front of the app?" }, at(2));
    expect(asked).toMatchObject({
      state: "waiting_on_customer",
      acceptedAt: null,
      clock: { paused: true, answered: true, text: "answered in 2 h" },
    });
    expect(await runClockJob({ ticketId, kind: "deadline" }, at(100))).toBe("noop");
    expect((await db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).state).toBe("waiting_on_customer");
    expect(releases(paymentIntentId)).toBe(0);

    const answered = await postMessage(member, ticketId, { body: "It is nginx 1.24." }, at(100));
    // Back to the decision, with the 46 h that were left when the question was asked.
    expect(answered).toMatchObject({ state: "awaiting_acceptance", clock: { paused: false, answered: true } });
    expect(new Date(answered.deadlineAt).toISOString()).toBe(at(146).toISOString());
    const accepted = await acceptTicket(ctx.world.maintainer, ticketId, {}, at(101));
    expect(accepted).toMatchObject({ state: "open", payment: { status: "captured" } });
  });

  it("accepting while the member still owes an answer opens the ticket with its clock running again", async () => {
    const { ticketId } = await ticketPaidAt(t0);
    await requestInfo(ctx.world.maintainer, ticketId, { message: "Which version do you run exactly?" }, at(1));
    const accepted = await acceptTicket(ctx.world.maintainer, ticketId, {}, at(5));
    expect(accepted).toMatchObject({ state: "open", clock: { paused: false, answered: true }, payment: { status: "captured" } });
  });

  it("the maintainer can reject while waiting on the member before acceptance", async () => {
    const { ticketId } = await ticketPaidAt(t0);
    await requestInfo(ctx.world.maintainer, ticketId, { message: "Which version do you run exactly?" }, at(1));
    const rejected = await rejectTicket(
      ctx.world.maintainer,
      ticketId,
      { reason: "out_of_scope", message: "This is about your proxy, not Backline." },
      at(2),
    );
    expect(rejected).toMatchObject({ state: "rejected", payment: { status: "canceled" } });
  });
});

describe("the terms a ticket was sold with (defect 10)", () => {
  it("survive an edit of the tier's name, hours and price: ticket, desk queue and desk numbers", async () => {
    const tier = await db.tier.create({
      data: { slug: "sold-terms", name: "Express", responseHours: 24, priceCents: 9900, currency: "usd", position: 9 },
    });
    const { ticketId } = await ticketPaidAt(t0, "sold-terms");
    await updateTier(ctx.world.admin, tier.id, {
      slug: "sold-terms",
      name: "Express (new)",
      responseHours: 2,
      priceCents: 500,
      currency: "usd",
      active: true,
    });
    await acceptTicket(ctx.world.maintainer, ticketId, {}, at(1));
    await postMessage(ctx.world.maintainer, ticketId, { body: "Here is the fix for your setup." }, at(10));

    const ticket = await getTicket(ctx.world.maintainer, ticketId, at(11));
    expect(ticket.tier).toEqual({ id: tier.id, slug: "sold-terms", name: "Express", responseHours: 24, priceCents: 9900, currency: "usd" });
    const item = (await deskQueue(ctx.world.maintainer, {}, at(11))).items.find((i) => i.id === ticketId)!;
    expect(item.tier).toEqual({ slug: "sold-terms", name: "Express", responseHours: 24 });

    const numbers = await deskNumbers(ctx.world.maintainer);
    expect(numbers.revenue.filter((r) => r.tierSlug === "sold-terms")).toEqual([
      expect.objectContaining({ month: "2026-05", tierSlug: "sold-terms", tierName: "Express", currency: "usd", cents: 9900, tickets: 1 }),
    ]);
    // Answered after 10 h: within the 24 h sold, though the edited tier now promises 2 h.
    const others = await db.ticket.count({ where: { firstResponseAt: { not: null }, id: { not: ticketId } } });
    expect(numbers.promise.within).toBeGreaterThanOrEqual(1);
    expect(numbers.promise.judged - numbers.promise.within).toBeLessThanOrEqual(others);
  });
});

describe("withdraw", () => {
  it("closes the owner's ticket, releases the hold once, unschedules the clock and tells the desk", async () => {
    const { member, ticketId, paymentIntentId } = await ticketPaidAt(t0);
    await expect(withdrawTicket(member, ticketId, { reason: "x".repeat(2_001) }, at(1))).rejects.toMatchObject({
      status: 400,
      fields: { reason: expect.any(String) },
    });
    await expect(withdrawTicket(ctx.world.maintainer, ticketId, {}, at(1))).rejects.toMatchObject({ status: 403 });
    await expect(withdrawTicket(ctx.world.other, ticketId, {}, at(1))).rejects.toMatchObject({ status: 404 });

    const withdrawn = await withdrawTicket(member, ticketId, { reason: "Found the answer in the docs." }, at(1));
    expect(withdrawn).toMatchObject({
      state: "withdrawn",
      stateLabel: "withdrawn",
      withdrawReason: "Found the answer in the docs.",
      payment: { status: "canceled" },
      clock: { timeLeftMs: null },
    });
    expect(new Date(withdrawn.withdrawnAt!).toISOString()).toBe(at(1).toISOString());
    expect(new Date(withdrawn.closedAt!).toISOString()).toBe(at(1).toISOString());
    expect(releases(paymentIntentId)).toBe(1);
    expect(await db.job.count({ where: { queue: CLOCK_QUEUE, state: "pending", dedupeKey: { startsWith: `ticket:${ticketId}:` } } })).toBe(
      0,
    );
    expect(
      await db.notification.count({
        where: { userId: ctx.world.maintainer.id, url: `/tickets/${ticketId}`, title: { contains: "withdrew" } },
      }),
    ).toBe(1);

    await expect(withdrawTicket(member, ticketId, {}, at(2))).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/withdrawn cannot be withdrawn/),
    });
    expect(releases(paymentIntentId)).toBe(1);
  });

  it("is allowed while the member answers a question asked before acceptance, refused once accepted", async () => {
    const first = await ticketPaidAt(t0);
    await requestInfo(ctx.world.maintainer, first.ticketId, { message: "Which proxy sits in front of the app?" }, at(1));
    expect((await withdrawTicket(first.member, first.ticketId, {}, at(2))).state).toBe("withdrawn");

    const second = await ticketPaidAt(t0);
    await acceptTicket(ctx.world.maintainer, second.ticketId, {}, at(1));
    await expect(withdrawTicket(second.member, second.ticketId, {}, at(2))).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/only one that is awaiting acceptance/),
    });
  });
});

describe("the money trail", () => {
  it("records authorisation, accept and capture once each, in order, however often the webhook and the job replay", async () => {
    const { member, ticketId, event } = await ticketPaidAt(t0);
    await acceptTicket(ctx.world.maintainer, ticketId, {}, at(1));
    // Replays: the checkout webhook, the settlement job and a direct second settle.
    expect(await applyPaymentEvent(event, at(2))).toBe("duplicate");
    const payment = await db.payment.findFirstOrThrow({ where: { ticketId } });
    expect(await settlePayment(payment.id, at(2))).toBe("nothing");
    const job = await db.job.findFirst({ where: { queue: SETTLE_QUEUE, dedupeKey: `payment:${payment.id}` } });
    if (job) await runSettlementJobs([{ ...job, payload: job.payload } as Parameters<typeof runSettlementJobs>[0][number]]);

    expect(await trailOf(ticketId)).toEqual([
      { kind: "authorised", actor: null, amountCents: 4900, reason: null },
      { kind: "capture_requested", actor: ctx.world.maintainer.username, amountCents: 4900, reason: null },
      { kind: "captured", actor: null, amountCents: 4900, reason: null },
    ]);
    expect(await getTicket(member, ticketId)).not.toHaveProperty("moneyTrail");
    expect((await getTicket(ctx.world.maintainer, ticketId)).moneyTrail?.map((e) => e.kind)).toEqual([
      "authorised",
      "capture_requested",
      "captured",
    ]);
    await expect(ticketMoneyTrail(member, ticketId)).rejects.toMatchObject({ status: 403 });
  });

  it("records a capture that failed for good once, with the provider's error, and the capture after a retry", async () => {
    const { ticketId, paymentIntentId } = await ticketPaidAt(t0);
    ctx.stripe.failNext("POST", new RegExp(`/v1/payment_intents/${paymentIntentId}/capture$`), {
      status: 400,
      code: "card_declined",
      message: "Your card was declined.",
    });
    const accepted = await acceptTicket(ctx.world.maintainer, ticketId, {}, at(1));
    expect(accepted.payment).toMatchObject({ status: "capture_failed" });
    const retried = await retryPayment(ctx.world.maintainer, ticketId, at(2));
    expect(retried.payment).toMatchObject({ status: "captured" });
    expect((await trailOf(ticketId)).map((e) => [e.kind, e.reason])).toEqual([
      ["authorised", null],
      ["capture_requested", null],
      ["capture_failed", "Stripe: Your card was declined."],
      ["captured", null],
    ]);
  });

  it("records why a hold was released: rejected, expired, withdrawn", async () => {
    const rejected = await ticketPaidAt(t0);
    await rejectTicket(
      ctx.world.maintainer,
      rejected.ticketId,
      { reason: "duplicate", message: "Same as your other ticket, answered there." },
      at(1),
    );
    const expired = await ticketPaidAt(t0);
    expect(await runClockJob({ ticketId: expired.ticketId, kind: "deadline" }, at(49))).toBe("expired");
    expect(await runClockJob({ ticketId: expired.ticketId, kind: "deadline" }, at(50))).toBe("noop");
    const withdrawn = await ticketPaidAt(t0);
    await withdrawTicket(withdrawn.member, withdrawn.ticketId, { reason: "Solved it myself." }, at(1));

    const released = (reason: string | null, actor: string | null) => [
      { kind: "authorised", actor: null, amountCents: 4900, reason: null },
      { kind: "release_requested", actor, amountCents: 4900, reason },
      { kind: "released", actor: null, amountCents: 4900, reason: null },
    ];
    expect(await trailOf(rejected.ticketId)).toEqual(released("rejected: duplicate", ctx.world.maintainer.username));
    expect(await trailOf(expired.ticketId)).toEqual(released("expired: the response deadline passed unanswered", null));
    expect(await trailOf(withdrawn.ticketId)).toEqual(released("withdrawn: Solved it myself.", withdrawn.member.username));
  });
});
