import { beforeAll, describe, expect, it } from "vitest";
import { HOLD_QUEUE, runHoldJob } from "~/models/payments/card-hold.server";
import { deskQueue } from "~/models/desk/desk.server";
import { startEscalation } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { acceptTicket, getTicket } from "~/models/tickets/ticket.server";
import { db } from "~/services/db.server";
import { testModeProvider } from "~/services/payments/test-mode.server";
import { useTestDatabase } from "../helpers/database";
import { makeUser } from "../helpers/factories";
import { gate, useFakeStripeWorld } from "../helpers/support-world";

// Card holds lapse (docs/decisions/035): Stripe's capture_before, read at
// fulfilment, drives a desk warning, a queue flag and the close of an
// undecided ticket; an accept after it never leaves an open, unpaid ticket.
useTestDatabase();

const H = 3_600_000;
const ctx = useFakeStripeWorld();

beforeAll(async () => {
  // A promise longer than Stripe's 7-day hold: the hold, not the deadline, is the nearer limit.
  await db.tier.update({ where: { slug: "standard" }, data: { responseHours: 240 } });
});

let events = 0;
async function paidTicket() {
  const member = await makeUser({ role: "member", trustLevel: 0 });
  const { escalationId } = await startEscalation(member, ctx.world.thread.id, gate());
  const { checkoutSessionId } = await db.escalation.findUniqueOrThrow({ where: { id: escalationId } });
  const session = ctx.stripe.completeSession(checkoutSessionId!);
  const paymentIntentId = session.payment_intent!;
  expect(
    await applyPaymentEvent({
      id: `evt_hold_${++events}`,
      provider: "stripe",
      type: "checkout.completed",
      sessionId: session.id,
      paymentIntentId,
      escalationId,
    }),
  ).toBe("applied");
  const ticket = await db.ticket.findUniqueOrThrow({ where: { escalationId }, include: { payments: true } });
  const charge = ctx.stripe.charges.get(ctx.stripe.intents.get(paymentIntentId)!.latest_charge!)!;
  return {
    member,
    ticketId: ticket.id,
    payment: ticket.payments[0]!,
    paymentIntentId,
    captureBefore: new Date(charge.payment_method_details!.card.capture_before * 1000),
  };
}

const captures = (pi: string) => ctx.stripe.calls("POST", new RegExp(`/v1/payment_intents/${pi}/capture$`)).length;
const deskNotices = (ticketId: string) =>
  db.notification.findMany({ where: { userId: ctx.world.maintainer.id, url: `/tickets/${ticketId}` }, select: { title: true } });
const trail = (ticketId: string) =>
  db.moneyEvent.findMany({ where: { ticketId }, orderBy: { createdAt: "asc" }, select: { kind: true, reason: true } });

describe("card holds that lapse", () => {
  it("stores the charge's capture_before on the payment and watches it", async () => {
    const { ticketId, payment, captureBefore } = await paidTicket();
    expect(payment.captureBefore?.toISOString()).toBe(captureBefore.toISOString());
    const jobs = await db.job.findMany({
      where: { queue: HOLD_QUEUE, dedupeKey: { startsWith: `hold:${ticketId}:` } },
      orderBy: { runAt: "asc" },
    });
    expect(jobs.map((j) => [(j.payload as { kind: string }).kind, j.runAt.toISOString()])).toEqual([
      ["warning", new Date(captureBefore.getTime() - 24 * H).toISOString()],
      ["lapse", captureBefore.toISOString()],
    ]);
  });

  it("flags the ticket on the desk and warns the maintainer before the hold ends", async () => {
    const { ticketId, captureBefore } = await paidTicket();
    const fiveHoursBefore = new Date(captureBefore.getTime() - 5 * H);
    const queue = await deskQueue(ctx.world.maintainer, {}, fiveHoursBefore);
    expect(queue.items.find((i) => i.id === ticketId)?.hold).toEqual({ endsAt: captureBefore, text: "card hold ends in 5 h" });

    expect(await runHoldJob({ ticketId, kind: "warning" }, fiveHoursBefore)).toBe(true);
    expect((await deskNotices(ticketId)).map((n) => n.title)).toContainEqual(
      expect.stringMatching(/^Card hold ends in 5 h for .*accept or reject before then/),
    );
  });

  it("closes an undecided ticket unpaid when its hold lapses, and tells the member they may escalate again", async () => {
    const { member, ticketId, paymentIntentId, captureBefore } = await paidTicket();
    expect(await runHoldJob({ ticketId, kind: "lapse" }, captureBefore)).toBe(true);
    const ticket = await getTicket(member, ticketId);
    expect(ticket.state).toBe("expired");
    expect(ticket.payment?.status).toBe("canceled");
    expect(ctx.stripe.intents.get(paymentIntentId)!.status).toBe("canceled");
    expect(captures(paymentIntentId)).toBe(0);
    const notice = await db.notification.findFirstOrThrow({
      where: { userId: member.id, url: `/tickets/${ticketId}`, title: { contains: "card hold" } },
    });
    expect(notice.title).toMatch(/not charged\. You can escalate again/);
    expect((await trail(ticketId)).map((e) => e.kind)).toEqual(["authorised", "release_requested", "released"]);
    // A second run (a retried job) changes nothing.
    expect(await runHoldJob({ ticketId, kind: "lapse" }, captureBefore)).toBe(false);
  });

  it("refuses an accept after the hold ended (409) and closes the ticket instead of leaving it open and unpaid", async () => {
    const { member, ticketId, paymentIntentId, captureBefore } = await paidTicket();
    await expect(acceptTicket(ctx.world.maintainer, ticketId, {}, new Date(captureBefore.getTime() + 60_000))).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/card hold ended before this ticket was accepted/),
    });
    expect(captures(paymentIntentId)).toBe(0);
    expect((await getTicket(member, ticketId)).state).toBe("expired");
  });

  it("closes the ticket unpaid when Stripe refuses the capture with charge_expired_for_capture", async () => {
    const { member, ticketId, paymentIntentId } = await paidTicket();
    // Our copy of capture_before says there is time; Stripe's says otherwise.
    ctx.stripe.lapseHold(paymentIntentId);
    await expect(acceptTicket(ctx.world.maintainer, ticketId)).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/refused the capture because the member's card hold had expired/),
    });
    expect(captures(paymentIntentId)).toBe(1);
    const ticket = await getTicket(member, ticketId);
    expect(ticket).toMatchObject({ state: "expired", payment: { status: "canceled" } });
    expect((await trail(ticketId)).at(-1)).toMatchObject({ kind: "released", reason: expect.stringMatching(/refused the capture/) });
  });
});

describe("test-mode card holds", () => {
  it("follow Stripe's rule: capturable for 7 days after authorisation, then charge_expired_for_capture", async () => {
    const D = 24 * H;
    const authorised = new Date(Date.now() - 8 * D);
    const escalationId = (await db.escalation.findFirstOrThrow({ select: { id: true } })).id;
    await db.testPaymentIntent.create({
      data: {
        id: "pi_test_local_old_hold",
        escalationId,
        amountCents: 4900,
        currency: "usd",
        status: "requires_capture",
        createdAt: authorised,
      },
    });
    const info = await testModeProvider.retrievePaymentIntent("pi_test_local_old_hold");
    expect(info.captureBefore?.toISOString()).toBe(new Date(authorised.getTime() + 7 * D).toISOString());
    await expect(testModeProvider.capture("pi_test_local_old_hold", { idempotencyKey: "k" })).rejects.toMatchObject({
      code: "charge_expired_for_capture",
      retryable: false,
    });
  });
});
