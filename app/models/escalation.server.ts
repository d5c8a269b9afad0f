import { similarThreads } from "./search.server";
import { db } from "~/services/db.server";
import { logger } from "~/services/logger.server";
import { paymentProvider, PaymentProviderError } from "~/services/payments/payments.server";
import { AppError, conflict, forbidden, notFound } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { gateSchema, SCOPE_STATEMENT, type GateAnswers } from "./escalation-gate";
import { can, requirePermission, type Role } from "./permissions";
import { enforce } from "./rate-limit.server";
import { findActiveTier, listTiers, presentTier } from "./tier.server";
import { applyPaymentEvent } from "./fulfilment.server";
import { activeCoverage, payFromCoverage } from "./insurance.server";
import { z } from "zod";
import { threadUrl } from "~/utils/urls";
import { siteOrigin } from "~/utils/url.server";

// A thread becomes a paid escalation (PRODUCT §4.1–4.4): the gate is checked,
// the price is fixed from the tier, and the member is sent to checkout. The
// ticket itself is created only by fulfilment, once the card is authorised.

type Member = { id: string; role: Role; email: string };

const ACTIVE_TICKET_STATES = ["awaiting_acceptance", "open", "waiting_on_customer"] as const;

async function escalatableThread(threadId: string) {
  const thread = await db.thread.findUnique({
    where: { id: threadId },
    select: {
      id: true, slug: true, title: true, categoryId: true, hidden: true, deletedAt: true, escalatedAt: true, resolvedViaSupportAt: true,
      category: { select: { name: true, slug: true, supported: true } },
    },
  });
  if (!thread || thread.hidden || thread.deletedAt) throw notFound("This thread does not exist or was removed.");
  return thread;
}

export function communityOnlyError(categoryName: string) {
  return forbidden(
    `“${categoryName}” is the community edition, which has community support only: paid support is not available for its threads.`,
  );
}

/** Where checkout sends the member back: the thread's escalation page, which shows the outcome. */
export const escalationPath = (threadId: string) => `/escalate/${threadId}`;

/** Starts paid support for a thread: validates the gate, fixes the price, opens checkout. */
export async function startEscalation(user: Member, threadId: string, input: unknown) {
  requirePermission(user, "escalation:create");
  const thread = await escalatableThread(threadId);
  if (!thread.category.supported) throw communityOnlyError(thread.category.name);
  const gate = parseOrThrow(gateSchema, input);
  const tier = await findActiveTier(gate.tier);
  const active = await db.ticket.findFirst({
    where: { threadId, ownerId: user.id, state: { in: [...ACTIVE_TICKET_STATES] } },
    select: { id: true },
  });
  if (active) throw conflict("You already have an open paid ticket for this thread; continue there.");
  await enforce({ key: `escalation:${user.id}`, max: 10, windowSeconds: 3600, what: "paid support requests" });

  // Covered members pay from their support insurance unless they choose the card (docs/decisions/016).
  const payWith = payWithSchema.parse((input as { payWith?: unknown } | null)?.payWith);
  if (payWith === "coverage" || (payWith === undefined && (await activeCoverage(user.id)))) {
    return escalateFromCoverage(user, thread.id, gate, tier);
  }

  const provider = paymentProvider();
  const escalation = await db.escalation.create({
    data: { ...escalationRow(threadId, user, gate, tier), provider: provider.name },
    select: { id: true },
  });
  const back = `${siteOrigin()}${escalationPath(threadId)}?escalation=${escalation.id}`;
  let session;
  try {
    session = await provider.createCheckout({
      escalationId: escalation.id,
      amountCents: tier.priceCents,
      currency: tier.currency,
      stripePriceId: tier.stripePriceId,
      productName: `${tier.name} support ticket`,
      productDescription: `First response within ${tier.responseHours} hours. You are charged only if the maintainer accepts the ticket.`,
      customerEmail: user.email,
      successUrl: `${back}&checkout=success`,
      cancelUrl: `${back}&checkout=cancelled`,
    });
  } catch (error) {
    logger.warn(`escalation ${escalation.id}: checkout could not be created (${error instanceof Error ? error.message : "error"})`);
    const reason = error instanceof PaymentProviderError ? ` (${error.message})` : "";
    throw new AppError(502, "payment_provider_error", `The payment page could not be opened${reason}. Nothing was charged; try again in a moment.`);
  }
  await db.escalation.update({
    where: { id: escalation.id },
    data: { state: "checkout_open", checkoutSessionId: session.sessionId },
  });
  return { escalationId: escalation.id, checkoutUrl: session.url };
}

const payWithSchema = z.enum(["coverage", "card"]).optional().catch(undefined);

/** No Checkout: the tier price is drawn from the coverage and the ticket is created through the same fulfilment. */
/** The gate answers and the quoted price, as every escalation records them. */
const escalationRow = (threadId: string, user: Member, gate: GateAnswers, tier: Awaited<ReturnType<typeof findActiveTier>>) => ({
  threadId,
  userId: user.id,
  tierId: tier.id,
  productVersion: gate.productVersion,
  environment: gate.environment,
  stepsToReproduce: gate.stepsToReproduce,
  alreadyTried: gate.alreadyTried,
  acceptScope: gate.acceptScope,
  amountCents: tier.priceCents,
  currency: tier.currency,
});

async function escalateFromCoverage(
  user: Member,
  threadId: string,
  gate: GateAnswers,
  tier: Awaited<ReturnType<typeof findActiveTier>>,
) {
  const escalation = await db.escalation.create({
    data: { ...escalationRow(threadId, user, gate, tier), provider: "insurance" },
    select: { id: true, amountCents: true, currency: true },
  });
  let event;
  try {
    event = await payFromCoverage(user.id, escalation);
  } catch (error) {
    await db.escalation.update({ where: { id: escalation.id }, data: { state: "declined" } });
    throw error;
  }
  await applyPaymentEvent(event).catch((error) => {
    // The draw is committed with a job that retries the ticket creation; the member sees "being created".
    logger.warn(`escalation ${escalation.id}: ticket from coverage not created yet (${error instanceof Error ? error.message : "error"})`);
  });
  const back = `${siteOrigin()}${escalationPath(threadId)}?escalation=${escalation.id}&checkout=success`;
  return { escalationId: escalation.id, checkoutUrl: back, paidFromCoverage: true as const };
}

/** Everything the gate page shows: the thread, the tiers, and solved threads that may answer it for free. */
export async function escalationContext(threadId: string, viewer: { id: string } | null) {
  const thread = await escalatableThread(threadId);
  const [tiers, similar, activeTicket] = await Promise.all([
    listTiers(),
    similarSolvedThreads(thread),
    viewer
      ? db.ticket.findFirst({
          where: { threadId, ownerId: viewer.id, state: { in: [...ACTIVE_TICKET_STATES] } },
          select: { id: true },
        })
      : null,
  ]);
  return {
    thread: { id: thread.id, title: thread.title, url: threadUrl(thread), category: thread.category },
    tiers: tiers.map(presentTier),
    similar,
    activeTicketId: activeTicket?.id ?? null,
    scopeStatement: SCOPE_STATEMENT,
  };
}

/** The public stub and the way in, for the thread page (PRODUCT §4.1, §4.5). */
export async function threadSupport(threadId: string, viewer: { id: string; role: Role } | null) {
  const thread = await db.thread.findUnique({
    where: { id: threadId },
    select: { escalatedAt: true, resolvedViaSupportAt: true, hidden: true, deletedAt: true, category: { select: { supported: true } } },
  });
  if (!thread) return { escalatedAt: null, resolvedAt: null, escalateUrl: null, ownTicketUrl: null };
  const mayEscalate = Boolean(
    viewer && thread.category.supported && !thread.hidden && !thread.deletedAt && can(viewer, "escalation:create"),
  );
  const own =
    viewer && mayEscalate
      ? await db.ticket.findFirst({
          where: { threadId, ownerId: viewer.id, state: { in: [...ACTIVE_TICKET_STATES] } },
          select: { id: true },
        })
      : null;
  return {
    escalatedAt: thread.escalatedAt,
    resolvedAt: thread.resolvedViaSupportAt,
    escalateUrl: mayEscalate ? escalationPath(threadId) : null,
    ownTicketUrl: own ? `/tickets/${own.id}` : null,
  };
}

/** The member's own escalation, for the page checkout returns to ("payment received, ticket pending"). */
export async function escalationStatus(userId: string, escalationId: string) {
  const escalation = await db.escalation.findUnique({
    where: { id: escalationId },
    select: { id: true, userId: true, threadId: true, state: true, ticket: { select: { id: true } } },
  });
  if (!escalation || escalation.userId !== userId) return null;
  return { id: escalation.id, threadId: escalation.threadId, state: escalation.state, ticketId: escalation.ticket?.id ?? null };
}

/**
 * Solved threads that may already answer this one (the search engine's similar
 * threads, solved only), with their accepted answer's first lines. The gate
 * still opens when search is unavailable; it just shows none.
 */
export async function similarSolvedThreads(thread: { id: string; title: string }, limit = 5) {
  const found = await similarThreads({ title: thread.title, excludeThreadId: thread.id }, null).catch((error) => {
    logger.warn(`similar threads unavailable for the escalation gate (${error instanceof Error ? error.message : "error"})`);
    return [];
  });
  return found
    .filter((t) => t.solved)
    .slice(0, limit)
    .map((t) => ({ id: t.threadId, title: t.title, url: t.url, answer: t.acceptedAnswer?.excerpt ?? null }));
}

