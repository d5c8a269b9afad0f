import { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { logger } from "~/services/logger.server";
import { providerFor, type PaymentEvent, type PaymentIntentInfo } from "~/services/payments/payments.server";
import { scheduleHoldWatch } from "~/models/payments/card-hold.server";
import { FulfilmentRetryError, type EventOutcome } from "~/models/payments/event-outcome";
import { recordMoneyEvent } from "~/models/payments/money-trail.server";
import { settleNow } from "~/models/payments/payment.server";
import { refundSecondCapture, releaseSecondAuthorisation } from "~/models/payments/second-checkout.server";
import { activeTicketFor, lockMember } from "~/models/escalation/open-checkout.server";
import { scheduleClock } from "~/models/tickets/clock.server";
import { notifyDesk, notifyOwner } from "~/models/tickets/notify.server";
import { refundNow } from "~/models/tickets/refund.server";
import { deadlineFor, paymentTime } from "~/models/tickets/sla";
import { buildSnapshot } from "~/models/tickets/snapshot.server";

// A checkout's events (applyPaymentEvent in fulfilment.server.ts dispatches them): completed or
// its PaymentIntent authorised later creates the ticket exactly once; expired or declined closes it.

export const escalationForSession = (sessionId: string) =>
  db.escalation.findUnique({
    where: { checkoutSessionId: sessionId },
    include: {
      tier: true,
      user: { select: { id: true, username: true, email: true } },
      ticket: { select: { id: true } },
    },
  });

type CompletedEvent = Extract<PaymentEvent, { type: "checkout.completed" }>;

/** Checkout completed: the card is authorised; create the ticket exactly once. */
export async function fulfilCheckout(event: CompletedEvent, now: Date): Promise<EventOutcome> {
  const escalation = await escalationForSession(event.sessionId);
  if (!escalation || escalation.provider !== event.provider || (event.escalationId && event.escalationId !== escalation.id)) {
    logger.warn(`payment event ${event.id}: no matching escalation for its checkout session; ignored`);
    return "ignored";
  }
  if (escalation.ticket) return "duplicate";
  if (!event.paymentIntentId) throw new FulfilmentRetryError("Completed checkout without a PaymentIntent.");

  // A manual-capture checkout completes while the funds are only authorised, so
  // payment_status says nothing useful: the PaymentIntent's own status decides.
  const intent = await providerFor(escalation.provider).retrievePaymentIntent(event.paymentIntentId);
  if (intent.metadata.escalationId && intent.metadata.escalationId !== escalation.id) {
    logger.warn(`payment event ${event.id}: PaymentIntent belongs to another escalation; ignored`);
    return "ignored";
  }
  if (intent.status === "canceled") {
    await db.escalation.updateMany({
      where: { id: escalation.id, state: { in: ["gate_passed", "checkout_open"] } },
      data: { state: "cancelled" },
    });
    return "applied";
  }
  if (intent.status === "processing") {
    // Not authorised yet: Stripe's payment_intent.amount_capturable_updated (or .succeeded), or the hourly sweep, finishes it.
    logger.info(`escalation ${escalation.id}: PaymentIntent ${intent.id} is processing; the ticket is created once it is authorised`);
    return "pending";
  }
  // Captured already (in Stripe's dashboard, or a payment that was not manual-capture): recorded, never lost.
  const capturedElsewhere = intent.status === "succeeded";
  if (intent.status !== "requires_capture" && !capturedElsewhere) {
    throw new FulfilmentRetryError(`PaymentIntent is ${intent.status}, not requires_capture; not fulfilled yet.`);
  }
  if (intent.amount !== escalation.amountCents || intent.currency !== escalation.currency) {
    // With a Stripe Price on the tier, Stripe's amount is what the member saw and what will be captured.
    logger.warn(`escalation ${escalation.id}: authorised amount differs from the quoted tier price; recording the authorised amount`);
  }

  const snapshot = await buildSnapshot(escalation, now);
  // The promise counts from the payment, not from when its webhook reached us (Stripe retries for days).
  const paidAt = paymentTime([event.occurredAt, intent.authorisedAt], now);
  const deadlineAt = deadlineFor(paidAt, escalation.tier.responseHours);
  const alreadyDue = deadlineAt <= now;
  let released: string | null = null;
  let refunded: string | null = null;
  try {
    const outcome = await db.$transaction(async (tx) => {
      // Under the member's lock (docs/decisions/029): of two checkouts for one thread paid anyway, the second sees the first ticket.
      await lockMember(tx, escalation.userId);
      if (await activeTicketFor(tx, escalation.userId, escalation.threadId, escalation.id)) {
        if (capturedElsewhere) {
          refunded = await refundSecondCapture(tx, escalation, intent, now);
          return refunded ? ("applied" as const) : ("duplicate" as const);
        }
        released = await releaseSecondAuthorisation(tx, escalation, intent, now);
        return released ? ("applied" as const) : ("duplicate" as const);
      }
      // Even a checkout we had closed (expired, superseded) is honoured when its card was authorised.
      const claimed = await tx.escalation.updateMany({
        where: { id: escalation.id, state: { not: "paid" }, paymentIntentId: null },
        data: { state: "paid", paymentIntentId: intent.id },
      });
      if (claimed.count === 0) return "duplicate" as const;
      const ticket = await tx.ticket.create({
        data: {
          escalationId: escalation.id,
          threadId: escalation.threadId,
          ownerId: escalation.userId,
          tierId: escalation.tierId,
          // The terms sold at checkout; a later tier edit changes none of them.
          soldTierName: escalation.tier.name,
          soldResponseHours: escalation.tier.responseHours,
          soldPriceCents: escalation.amountCents,
          soldCurrency: escalation.currency,
          state: "awaiting_acceptance",
          snapshot: snapshot as unknown as Prisma.InputJsonValue,
          paidAt,
          deadlineAt,
        },
        select: { id: true },
      });
      const payment = await tx.payment.create({
        data: {
          escalationId: escalation.id,
          ticketId: ticket.id,
          provider: escalation.provider,
          paymentIntentId: intent.id,
          status: capturedElsewhere ? "captured" : "authorized",
          amountCents: intent.amount,
          currency: intent.currency,
          captureBefore: capturedElsewhere ? null : intent.captureBefore,
        },
        select: { id: true },
      });
      await recordFulfilment(tx, {
        ticketId: ticket.id,
        escalationId: escalation.id,
        paymentId: payment.id,
        provider: escalation.provider,
        intent,
        capturedElsewhere,
      });
      if (!capturedElsewhere) await scheduleHoldWatch(tx, { id: ticket.id, captureBefore: intent.captureBefore }, now);
      // The public stub: the date only, never the private content.
      await tx.thread.updateMany({ where: { id: escalation.threadId, escalatedAt: null }, data: { escalatedAt: paidAt } });
      // A deadline already past runs its clock job at once: the ticket expires and the hold is released.
      await scheduleClock(tx, { id: ticket.id, deadlineAt, responseHours: escalation.tier.responseHours }, now);
      const ref = { id: ticket.id, ownerId: escalation.userId, threadTitle: snapshot.thread.title };
      if (alreadyDue) {
        await notifyOwner(
          tx,
          ref,
          (t) =>
            `Your payment for ${t} reached us after the ${escalation.tier.name} response time had passed: the ticket closes and you will not be charged`,
        );
        await notifyDesk(
          tx,
          ref,
          (t) => `Paid ticket (${escalation.tier.name}) for ${t} arrived after its deadline: it expires and the authorisation is released`,
        );
      } else {
        await notifyOwner(tx, ref, (t) => `Payment authorised: your ${escalation.tier.name} ticket for ${t} is waiting for the maintainer`);
        await notifyDesk(tx, ref, (t) => `New paid ticket (${escalation.tier.name}): ${t}`);
      }
      if (capturedElsewhere) {
        await notifyDesk(
          tx,
          ref,
          (t) =>
            `The payment for ${t} was already captured outside Backline: accepting charges nothing more; declining needs a refund first`,
        );
      }
      return "applied" as const;
    });
    await settleNow(released);
    if (refunded) await refundNow(refunded, now);
    return outcome;
  } catch (error) {
    // A concurrent delivery created the ticket first: the unique escalationId decided.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return "duplicate";
    throw error;
  }
}

/** The money trail entry for the new ticket's payment; keyed by PaymentIntent, so a replay writes nothing. */
function recordFulfilment(
  tx: Prisma.TransactionClient,
  p: { ticketId: string; escalationId: string; paymentId: string; provider: string; intent: PaymentIntentInfo; capturedElsewhere: boolean },
) {
  return recordMoneyEvent(tx, {
    kind: p.capturedElsewhere ? "captured_elsewhere" : p.provider === "insurance" ? "coverage_draw" : "authorised",
    amountCents: p.intent.amount,
    currency: p.intent.currency,
    ticketId: p.ticketId,
    escalationId: p.escalationId,
    paymentId: p.paymentId,
    reason: p.capturedElsewhere ? "The PaymentIntent had already succeeded when the checkout was fulfilled" : null,
    reference: `${p.capturedElsewhere ? "captured-elsewhere" : "authorised"}:${p.intent.id}`,
    data: p.intent.captureBefore && !p.capturedElsewhere ? { captureBefore: p.intent.captureBefore.toISOString() } : undefined,
  });
}

/** A PaymentIntent that was processing at checkout is now authorised (or captured): the same fulfilment as the checkout's. */
export async function paymentIntentReady(event: Extract<PaymentEvent, { type: "payment_intent.ready" }>, now: Date): Promise<EventOutcome> {
  if (!event.escalationId) return "ignored";
  const escalation = await db.escalation.findUnique({
    where: { id: event.escalationId },
    select: { provider: true, checkoutSessionId: true },
  });
  if (!escalation?.checkoutSessionId || escalation.provider !== event.provider) return "ignored";
  return fulfilCheckout(
    { ...event, type: "checkout.completed", sessionId: escalation.checkoutSessionId, paymentIntentId: event.paymentIntentId },
    now,
  );
}

/** Checkout expired or (test mode) the card was declined: the escalation closes with no ticket and no charge. */
export async function closeCheckout(
  event: Extract<PaymentEvent, { type: "checkout.expired" | "checkout.declined" }>,
  outcome: "expired" | "declined",
): Promise<EventOutcome> {
  const escalation = await db.escalation.findUnique({
    where: { checkoutSessionId: event.sessionId },
    select: { id: true, provider: true },
  });
  if (!escalation || escalation.provider !== event.provider) return "ignored";
  // A paid escalation stays paid: an "expired" that arrives after "completed" changes nothing.
  const { count } = await db.escalation.updateMany({
    where: { id: escalation.id, state: { in: ["gate_passed", "checkout_open"] } },
    data: { state: outcome },
  });
  return count ? "applied" : "ignored";
}
