import { getEnv } from "~/env.server";
import { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { logger } from "~/services/logger.server";
import { providerFor, type PaymentEvent, type PaymentIntentInfo } from "~/services/payments/payments.server";
import { scheduleHoldWatch } from "~/models/payments/card-hold.server";
import { recordMoneyEvent } from "~/models/payments/money-trail.server";
import { SCOPE_STATEMENT } from "~/models/escalation/gate";
import { activeTicketFor, lockMember } from "~/models/escalation/open-checkout.server";
import { requestRelease, settleNow } from "~/models/payments/payment.server";
import { insuranceInvoicePaid, insuranceSubscriptionDeleted, subscriptionCheckoutCompleted } from "~/models/insurance/insurance.server";
import { insuranceInvoiceFailed, insuranceSubscriptionUpdated } from "~/models/insurance/renewal.server";
import { deadlineFor, paymentTime } from "~/models/tickets/sla";
import { scheduleClock, unscheduleClock } from "~/models/tickets/clock.server";
import { disputeChanged, providerRefundsChanged } from "~/models/payments/refund-dispute-events.server";
import { refundNow, refundUndelivered } from "~/models/tickets/refund.server";
import { notifyDesk, notifyOwner } from "~/models/tickets/notify.server";
import { canTransition, transition } from "~/models/tickets/state";
import { honoursProvider } from "~/models/payments/test-money.server";
import type { TicketSnapshot } from "~/models/tickets/snapshot";
import { threadUrl } from "~/utils/urls";

// The one fulfilment path (PRODUCT §4.5): a verified Stripe webhook and the
// test-mode checkout page both end here. Every event is recorded by id and
// applied once; every step is also idempotent by checkout session, backed by
// unique constraints (Escalation.checkoutSessionId, Ticket.escalationId).

// "pending": recorded, but the payment is still processing; a later event or the checkout sweep finishes it.
export type EventOutcome = "applied" | "duplicate" | "ignored" | "pending";

/** Thrown when an event cannot be applied yet; the webhook answers 500 so Stripe delivers it again. */
export class FulfilmentRetryError extends Error {
  name = "FulfilmentRetryError";
}

export async function applyPaymentEvent(event: PaymentEvent, now = new Date()): Promise<EventOutcome> {
  const type = event.type === "ignored" ? event.sourceType : event.type;
  const inserted = await db.$executeRaw`
    insert into "WebhookEvent" ("id", "provider", "type", "receivedAt") values (${event.id}, ${event.provider}, ${type}, ${now})
    on conflict ("id") do nothing`;
  if (inserted === 0) {
    const seen = await db.webhookEvent.findUnique({ where: { id: event.id }, select: { processedAt: true } });
    if (seen?.processedAt) return "duplicate";
    // Not yet processed: an earlier attempt failed, or a concurrent delivery is running. Applying again
    // is safe because every step below is idempotent by checkout session.
  }
  try {
    const outcome = honoursProvider(event.provider) ? await dispatch(event, now) : ignoreTestModeEvent(event);
    await db.webhookEvent.update({ where: { id: event.id }, data: { processedAt: new Date(), error: null } });
    return outcome;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db.webhookEvent.update({ where: { id: event.id }, data: { error: message.slice(0, 500) } }).catch(() => undefined);
    throw error;
  }
}

function ignoreTestModeEvent(event: PaymentEvent): EventOutcome {
  logger.warn(`payment event ${event.id} (${event.type}) comes from the test mode; production applies none (docs/decisions/038)`);
  return "ignored";
}

function dispatch(event: PaymentEvent, now: Date): Promise<EventOutcome> {
  switch (event.type) {
    case "checkout.completed":
      return fulfilCheckout(event, now);
    case "payment_intent.ready":
      return paymentIntentReady(event, now);
    case "checkout.expired":
      return closeCheckout(event, "expired");
    case "checkout.declined":
      return closeCheckout(event, "declined");
    case "payment_intent.canceled":
      return authorisationCanceled(event, now);
    case "subscription.checkout.completed":
      return subscriptionCheckoutCompleted(event);
    case "invoice.paid":
      return insuranceInvoicePaid(event, now);
    case "subscription.deleted":
      return insuranceSubscriptionDeleted(event, now);
    case "subscription.updated":
      return insuranceSubscriptionUpdated(event);
    case "invoice.payment_failed":
      return insuranceInvoiceFailed(event);
    case "refunds.changed":
      return providerRefundsChanged(event, now);
    case "dispute.opened":
    case "dispute.updated":
    case "dispute.closed":
      return disputeChanged(event, now);
    case "ignored":
      return Promise.resolve("ignored");
  }
}

const escalationForSession = (sessionId: string) =>
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
async function fulfilCheckout(event: CompletedEvent, now: Date): Promise<EventOutcome> {
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
    await db.escalation.updateMany({ where: { id: escalation.id, state: { in: ["gate_passed", "checkout_open"] } }, data: { state: "cancelled" } });
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
      await recordFulfilment(tx, { ticketId: ticket.id, escalationId: escalation.id, paymentId: payment.id, provider: escalation.provider, intent, capturedElsewhere });
      if (!capturedElsewhere) await scheduleHoldWatch(tx, { id: ticket.id, captureBefore: intent.captureBefore }, now);
      // The public stub: the date only, never the private content.
      await tx.thread.updateMany({ where: { id: escalation.threadId, escalatedAt: null }, data: { escalatedAt: paidAt } });
      // A deadline already past runs its clock job at once: the ticket expires and the hold is released.
      await scheduleClock(tx, { id: ticket.id, deadlineAt, responseHours: escalation.tier.responseHours }, now);
      const ref = { id: ticket.id, ownerId: escalation.userId, threadTitle: snapshot.thread.title };
      if (alreadyDue) {
        await notifyOwner(tx, ref, (t) => `Your payment for ${t} reached us after the ${escalation.tier.name} response time had passed: the ticket closes and you will not be charged`);
        await notifyDesk(tx, ref, (t) => `Paid ticket (${escalation.tier.name}) for ${t} arrived after its deadline: it expires and the authorisation is released`);
      } else {
        await notifyOwner(tx, ref, (t) => `Payment authorised: your ${escalation.tier.name} ticket for ${t} is waiting for the maintainer`);
        await notifyDesk(tx, ref, (t) => `New paid ticket (${escalation.tier.name}): ${t}`);
      }
      if (capturedElsewhere) {
        await notifyDesk(tx, ref, (t) =>
          `The payment for ${t} was already captured outside Backline: accepting charges nothing more; declining needs a refund first`);
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
async function paymentIntentReady(event: Extract<PaymentEvent, { type: "payment_intent.ready" }>, now: Date): Promise<EventOutcome> {
  if (!event.escalationId) return "ignored";
  const escalation = await db.escalation.findUnique({ where: { id: event.escalationId }, select: { provider: true, checkoutSessionId: true } });
  if (!escalation?.checkoutSessionId || escalation.provider !== event.provider) return "ignored";
  return fulfilCheckout(
    { ...event, type: "checkout.completed", sessionId: escalation.checkoutSessionId, paymentIntentId: event.paymentIntentId },
    now,
  );
}

/** Closes a second checkout's escalation and records its payment, once (null when a replay got there first). */
async function recordSecondPayment(
  tx: Prisma.TransactionClient,
  escalation: { id: string; provider: string },
  intent: { id: string; amount: number; currency: string },
  status: "authorized" | "captured",
) {
  const claimed = await tx.escalation.updateMany({
    where: { id: escalation.id, state: { not: "paid" }, paymentIntentId: null },
    data: { state: "cancelled", paymentIntentId: intent.id },
  });
  if (claimed.count === 0) return null;
  return tx.payment.create({
    data: { escalationId: escalation.id, provider: escalation.provider, paymentIntentId: intent.id, status, amountCents: intent.amount, currency: intent.currency },
    select: { id: true },
  });
}

/**
 * A second checkout for a thread the member already has a ticket for was paid
 * anyway: no second ticket; its authorisation is released through the same
 * outbox as a rejected ticket's. Returns the payment to settle, once.
 */
async function releaseSecondAuthorisation(
  tx: Prisma.TransactionClient,
  escalation: { id: string; provider: string },
  intent: { id: string; amount: number; currency: string },
  now: Date,
): Promise<string | null> {
  const payment = await recordSecondPayment(tx, escalation, intent, "authorized");
  if (!payment) return null;
  logger.info(`escalation ${escalation.id}: paid while another ticket for the thread is open; releasing the authorisation`);
  return requestRelease(tx, payment.id, now);
}

/**
 * The same, but the second payment was already captured outside Backline: there
 * is no hold to release, so the money is given back in full (a refund through
 * the refund outbox). Returns the refund to send, once.
 */
async function refundSecondCapture(
  tx: Prisma.TransactionClient,
  escalation: { id: string; provider: string },
  intent: PaymentIntentInfo,
  now: Date,
): Promise<string | null> {
  const payment = await recordSecondPayment(tx, escalation, intent, "captured");
  if (!payment) return null;
  await recordMoneyEvent(tx, {
    kind: "captured_elsewhere",
    amountCents: intent.amount,
    currency: intent.currency,
    escalationId: escalation.id,
    paymentId: payment.id,
    reason: "A second checkout for a thread with an open ticket, captured outside Backline",
    reference: `captured-elsewhere:${intent.id}`,
  });
  logger.warn(`escalation ${escalation.id}: a second checkout was captured outside Backline while another ticket is open; refunding it`);
  const reason = "A second payment for a thread that already has a ticket: refunded in full";
  return refundUndelivered(tx, payment.id, reason, { ticketId: null, escalationId: escalation.id }, now);
}

/** Checkout expired or (test mode) the card was declined: the escalation closes with no ticket and no charge. */
async function closeCheckout(
  event: Extract<PaymentEvent, { type: "checkout.expired" | "checkout.declined" }>,
  outcome: "expired" | "declined",
): Promise<EventOutcome> {
  const escalation = await db.escalation.findUnique({ where: { checkoutSessionId: event.sessionId }, select: { id: true, provider: true } });
  if (!escalation || escalation.provider !== event.provider) return "ignored";
  // A paid escalation stays paid: an "expired" that arrives after "completed" changes nothing.
  const { count } = await db.escalation.updateMany({
    where: { id: escalation.id, state: { in: ["gate_passed", "checkout_open"] } },
    data: { state: outcome },
  });
  return count ? "applied" : "ignored";
}

/**
 * The authorisation was canceled at the provider. Before payment that just
 * closes the escalation; on a ticket that was never accepted nothing can be
 * captured any more, so the ticket expires (the member pays nothing).
 */
async function authorisationCanceled(event: Extract<PaymentEvent, { type: "payment_intent.canceled" }>, now: Date): Promise<EventOutcome> {
  const payment = await db.payment.findFirst({
    where: { paymentIntentId: event.paymentIntentId, provider: event.provider },
    select: { id: true, status: true, ticketId: true, escalationId: true, amountCents: true, currency: true },
  });
  if (!payment) {
    if (!event.escalationId) return "ignored";
    const { count } = await db.escalation.updateMany({
      where: { id: event.escalationId, provider: event.provider, state: { in: ["gate_passed", "checkout_open"] } },
      data: { state: "cancelled" },
    });
    return count ? "applied" : "ignored";
  }
  if (payment.status === "canceled" || payment.status === "captured") return "ignored";
  await db.$transaction(async (tx) => {
    const wasCapturing = payment.status === "capture_pending" || payment.status === "capture_failed";
    const t = payment.ticketId
      ? await tx.ticket.findUniqueOrThrow({
          where: { id: payment.ticketId },
          select: { id: true, state: true, acceptedAt: true, ownerId: true, thread: { select: { title: true } } },
        })
      : null;
    // Nothing can be captured any more: an undecided ticket, or an accepted one still waiting for its capture,
    // closes unpaid (docs/decisions/035) instead of staying open with no money behind it.
    const closes = t !== null && canTransition(t, "lapse") && (!t.acceptedAt || wasCapturing);
    await tx.payment.update({
      where: { id: payment.id },
      data:
        wasCapturing && !closes
          ? { status: "capture_failed", lastError: "The authorisation was released before it could be captured.", lockedUntil: null }
          : { status: "canceled", lastError: wasCapturing ? "The authorisation was released before it could be captured." : null, lockedUntil: null },
    });
    await recordMoneyEvent(tx, {
      kind: "released",
      amountCents: payment.amountCents,
      currency: payment.currency,
      ticketId: payment.ticketId,
      escalationId: payment.escalationId,
      paymentId: payment.id,
      reason: "Released by the payment provider",
      reference: `provider-released:${payment.id}`,
    });
    if (!t) return;
    const ref = { id: t.id, ownerId: t.ownerId, threadTitle: t.thread.title };
    if (closes) {
      const { count } = await tx.ticket.updateMany({
        where: { id: t.id, state: t.state, acceptedAt: t.acceptedAt },
        data: { state: transition(t, "lapse"), closedAt: now },
      });
      if (count === 0) return;
      await unscheduleClock(tx, t.id);
      await notifyOwner(tx, ref, (title) => `The card authorisation for ${title} was released: the ticket closed and you were not charged`);
      await notifyDesk(tx, ref, (title) => `Authorisation released by the payment provider: ticket for ${title} closed unpaid`);
    } else if (wasCapturing) {
      await notifyDesk(tx, ref, (title) => `Payment for ${title} can no longer be captured: the authorisation was released`);
    }
  });
  return "applied";
}

type EscalationForSnapshot = NonNullable<Awaited<ReturnType<typeof escalationForSession>>>;

const HREF = /<a\s[^>]*?href="([^"]+)"/gi;
const decodeEntities = (s: string) =>
  s.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");

/** Every link in the thread, absolute, once each, in order of appearance. */
function linksOf(htmls: string[], origin: string): string[] {
  const links = new Set<string>();
  for (const html of htmls) {
    for (const m of html.matchAll(HREF)) {
      try {
        const url = new URL(decodeEntities(m[1]!), origin);
        // The sanitizer already dropped dangerous schemes; this list is the second lock.
        if (url.protocol === "http:" || url.protocol === "https:" || url.protocol === "mailto:") links.add(url.toString());
      } catch {
        // Not a URL; nothing to keep.
      }
    }
  }
  return [...links];
}

/**
 * The frozen copy of the whole public thread at payment time, plus the gate
 * answers and the payer. Later edits to the thread never change it. Posts a
 * moderator hid or deleted are public no longer and are left out.
 */
export async function buildSnapshot(escalation: EscalationForSnapshot, now: Date): Promise<TicketSnapshot> {
  const origin = getEnv().publicUrl;
  const thread = await db.thread.findUniqueOrThrow({
    where: { id: escalation.threadId },
    select: {
      id: true, slug: true, title: true, createdAt: true, acceptedPostId: true,
      author: { select: { username: true } },
      category: { select: { slug: true, name: true } },
      tags: { select: { tag: { select: { name: true } } } },
    },
  });
  const posts = await db.post.findMany({
    where: { threadId: thread.id, hidden: false, deletedAt: null },
    orderBy: { number: "asc" },
    select: { id: true, number: true, body: true, bodyHtml: true, createdAt: true, editedAt: true, author: { select: { username: true } } },
  });
  const acceptedPostId = posts.some((p) => p.id === thread.acceptedPostId) ? thread.acceptedPostId : null;
  const url = `${origin}${threadUrl(thread)}`;
  return {
    version: 1,
    takenAt: now.toISOString(),
    thread: {
      id: thread.id,
      title: thread.title,
      url,
      category: thread.category,
      tags: thread.tags.map((t) => t.tag.name),
      author: thread.author.username,
      createdAt: thread.createdAt.toISOString(),
    },
    posts: posts.map((p) => ({
      id: p.id,
      number: p.number,
      author: p.author.username,
      createdAt: p.createdAt.toISOString(),
      editedAt: p.editedAt?.toISOString() ?? null,
      body: p.body,
      bodyHtml: p.bodyHtml,
      accepted: p.id === acceptedPostId,
    })),
    acceptedPostId,
    links: [url, ...linksOf(posts.map((p) => p.bodyHtml), origin).filter((l) => l !== url)],
    gate: {
      productVersion: escalation.productVersion,
      environment: escalation.environment,
      stepsToReproduce: escalation.stepsToReproduce,
      alreadyTried: escalation.alreadyTried,
      scopeAccepted: escalation.acceptScope,
      scopeStatement: SCOPE_STATEMENT,
    },
    payer: { id: escalation.user.id, username: escalation.user.username, email: escalation.user.email },
    tier: {
      slug: escalation.tier.slug,
      name: escalation.tier.name,
      responseHours: escalation.tier.responseHours,
      priceCents: escalation.amountCents,
      currency: escalation.currency,
    },
  };
}
