import { similarThreads } from "~/models/community/search.server";
import { db } from "~/services/db.server";
import { logger } from "~/services/logger.server";
import { paymentProvider, PaymentProviderError } from "~/services/payments/payments.server";
import { checkoutPriceRefusal } from "~/models/escalation/linked-price.server";
import { AppError, conflict, forbidden, notFound } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { gateSchema, SCOPE_STATEMENT, type GateAnswers } from "~/models/escalation/gate";
import { can, requirePermission } from "~/models/permissions";
import { enforce } from "~/models/rate-limit.server";
import { findActiveTier, listTiers, presentTier } from "~/models/escalation/tier.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { activeCoverage, payFromCoverage } from "~/models/insurance/insurance.server";
import { z } from "zod";
import { Prisma } from "~/generated/prisma/client";
import {
  ACTIVE_TICKET_STATES,
  expireSuperseded,
  lockMember,
  OPEN_ESCALATION_STATES,
  refuseSecondTicket,
} from "~/models/escalation/open-checkout.server";
import { threadUrl } from "~/utils/urls";
import { refuseWhilePaused } from "~/models/availability/availability.server";
import { intakeForDisplay } from "~/models/availability/intake-cache.server";
import { siteOrigin } from "~/utils/url.server";
import type { Role, Tx } from "~/models/types";
import { moneyWords } from "~/models/payments/money-words";
import { STANDING_TICKET_STATES } from "~/models/tickets/state";
import { plural } from "~/utils/text";

// A thread becomes a paid escalation (docs/product.md §4.1–4.4): the gate is checked,
// the price is fixed from the tier, and the member is sent to checkout. The
// ticket itself is created only by fulfilment, once the card is authorised.

type Member = { id: string; role: Role; email: string };

async function escalatableThread(threadId: string) {
  const thread = await db.thread.findUnique({
    where: { id: threadId },
    select: {
      id: true,
      slug: true,
      title: true,
      categoryId: true,
      hidden: true,
      deletedAt: true,
      escalatedAt: true,
      resolvedViaSupportAt: true,
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
  // Before any authorisation or coverage draw: a promise that cannot be kept is not sold (docs/decisions/045).
  await refuseWhilePaused(tier.id);
  await refuseSecondTicket(db as unknown as Tx, user.id, threadId);
  await enforce({ key: `escalation:${user.id}`, max: 10, windowSeconds: 3600, what: "paid support requests" });

  // Covered members pay from their support insurance unless they choose the card (docs/decisions/016).
  const payWith = payWithSchema.parse((input as { payWith?: unknown } | null)?.payWith);
  const fromCoverage = payWith === "coverage" || (payWith === undefined && Boolean(await activeCoverage(user.id)));
  const provider = fromCoverage ? null : paymentProvider();
  const escalation = await openEscalation(user, threadId, gate, tier, provider?.name ?? "insurance");
  if (!provider) return escalateFromCoverage(user, thread.id, escalation);

  const back = `${siteOrigin()}${escalationPath(threadId)}?escalation=${escalation.id}`;
  let session;
  try {
    session = await provider.createCheckout({
      escalationId: escalation.id,
      amountCents: tier.priceCents,
      currency: tier.currency,
      stripePriceId: tier.stripePriceId,
      productName: `${tier.name} support ticket`,
      productDescription: `First response within ${plural(tier.responseHours, "hour")}. You are charged only if the maintainer accepts the ticket.`,
      customerEmail: user.email,
      successUrl: `${back}&checkout=success`,
      cancelUrl: `${back}&checkout=cancelled`,
    });
  } catch (error) {
    logger.warn(`escalation ${escalation.id}: checkout could not be created (${error instanceof Error ? error.message : "error"})`);
    const refusal = checkoutPriceRefusal(error);
    if (refusal) throw refusal;
    const reason = error instanceof PaymentProviderError ? ` (${error.message})` : "";
    throw new AppError(
      502,
      "payment_provider_error",
      `The payment page could not be opened${reason}. Nothing was charged; try again in a moment.`,
    );
  }
  // The session is recorded first, so that whoever supersedes this escalation, or its completion, finds it.
  await db.escalation.update({ where: { id: escalation.id }, data: { checkoutSessionId: session.sessionId } });
  const opened = await db.escalation.updateMany({ where: { id: escalation.id, state: "gate_passed" }, data: { state: "checkout_open" } });
  if (opened.count === 0) {
    // A newer request for this thread superseded this one while its checkout was being created.
    await expireSuperseded([{ provider: provider.name, checkoutSessionId: session.sessionId }]);
    throw conflict("A newer checkout for this thread was opened at the same moment; continue in that one.");
  }
  return { escalationId: escalation.id, checkoutUrl: session.url };
}

/**
 * Records the escalation under the member's lock, superseding their older open
 * checkout for this thread (docs/decisions/029), which is then expired at its provider.
 */
async function openEscalation(user: Member, threadId: string, gate: GateAnswers, tier: Tier, provider: string) {
  const stale = new Date(Date.now() - COVERAGE_DRAW_GRACE_MS);
  const { escalation, superseded } = await db.$transaction(async (tx) => {
    await lockMember(tx, user.id);
    await refuseSecondTicket(tx, user.id, threadId);
    // Row locks, not a plain read: a concurrent request still recording its session waits for this
    // decision, and this one sees the session id that request committed (READ COMMITTED re-reads).
    const open = await tx.$queryRaw<{ id: string; provider: string; state: string; checkoutSessionId: string | null; createdAt: Date }[]>`
      select "id", "provider", "state"::text as "state", "checkoutSessionId", "createdAt" from "Escalation"
      where "userId" = ${user.id} and "threadId" = ${threadId} and "state"::text in (${Prisma.join([...OPEN_ESCALATION_STATES])})
      for update`;
    // A coverage draw becomes its ticket within moments; one that never got past the gate has failed.
    if (open.some((e) => e.provider === "insurance" && (e.state === "checkout_open" || e.createdAt > stale))) {
      throw conflict(`Your coverage is already paying for a ticket on this thread; see ${escalationPath(threadId)}.`);
    }
    if (open.length) {
      await tx.escalation.updateMany({
        where: { id: { in: open.map((e) => e.id) }, state: { in: [...OPEN_ESCALATION_STATES] } },
        data: { state: "cancelled" },
      });
    }
    const created = await tx.escalation.create({
      data: { ...escalationRow(threadId, user, gate, tier), provider },
      select: { id: true, amountCents: true, currency: true },
    });
    return { escalation: created, superseded: open };
  });
  if (await expireSuperseded(superseded)) {
    // The older checkout was paid before it could be expired: that payment becomes the ticket.
    await db.escalation.updateMany({ where: { id: escalation.id, state: "gate_passed" }, data: { state: "cancelled" } });
    throw conflict(`Your payment in another window went through; the ticket is being created: ${escalationPath(threadId)}`);
  }
  return escalation;
}

const COVERAGE_DRAW_GRACE_MS = 5 * 60_000;

type Tier = Awaited<ReturnType<typeof findActiveTier>>;

const payWithSchema = z.enum(["coverage", "card"]).optional().catch(undefined);

/** The gate answers and the quoted price, as every escalation records them. */
const escalationRow = (threadId: string, user: Member, gate: GateAnswers, tier: Tier) => ({
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

/** No Checkout: the tier price is drawn from the coverage and the ticket is created through the same fulfilment. */
async function escalateFromCoverage(user: Member, threadId: string, escalation: { id: string; amountCents: number; currency: string }) {
  let event;
  try {
    event = await payFromCoverage(user.id, escalation);
  } catch (error) {
    await db.escalation.updateMany({ where: { id: escalation.id, state: "gate_passed" }, data: { state: "declined" } });
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

/** What the thread page's support stub reads of the thread (threadViewerState loads it with its own fields). */
export const supportThreadSelect = {
  escalatedAt: true,
  resolvedViaSupportAt: true,
  hidden: true,
  deletedAt: true,
  category: { select: { supported: true } },
  tickets: { orderBy: { createdAt: "desc" }, take: 1, select: { state: true } },
} satisfies Prisma.ThreadSelect;
type SupportThread = Prisma.ThreadGetPayload<{ select: typeof supportThreadSelect }>;

/** A ticket on a thread that is still being worked. */
export const activeTicketOnThreadWhere = (threadId: string) =>
  ({ threadId, state: { in: [...ACTIVE_TICKET_STATES] } }) satisfies Prisma.TicketWhereInput;

/** The member's own ticket on a thread that is still being worked: the stub links to it instead of the gate. */
export const ownActiveTicketWhere = (threadId: string, ownerId: string) =>
  ({ ...activeTicketOnThreadWhere(threadId), ownerId }) satisfies Prisma.TicketWhereInput;

/**
 * The public stub and the way in, for the thread page (docs/product.md §4.1, §4.5). `thread` when the caller has
 * loaded it already, and `ownTicketId` when it has looked the viewer's own active ticket up; `version`, the page
 * cache's content version, lets the intake be reused (intakeForDisplay).
 */
export async function threadSupport(
  threadId: string,
  viewer: { id: string; role: Role } | null,
  known: { thread?: SupportThread | null; version?: string | null; ownTicketId?: string | null } = {},
) {
  const thread =
    known.thread !== undefined ? known.thread : await db.thread.findUnique({ where: { id: threadId }, select: supportThreadSelect });
  if (!thread) {
    return { escalatedAt: null, resolvedAt: null, ended: null, escalateUrl: null, ownTicketUrl: null, paused: null, pausedTiers: [] };
  }
  // The latest request decides what the stub says: standing (the dates) or ended without support (what happened).
  const latest = thread.tickets[0]?.state ?? null;
  const standing = latest !== null && (STANDING_TICKET_STATES as readonly string[]).includes(latest);
  const mayEscalate = Boolean(
    viewer && thread.category.supported && !thread.hidden && !thread.deletedAt && can(viewer, "escalation:create"),
  );
  const own =
    viewer && mayEscalate
      ? known.ownTicketId !== undefined
        ? known.ownTicketId && { id: known.ownTicketId }
        : await db.ticket.findFirst({ where: ownActiveTicketWhere(threadId, viewer.id), select: { id: true } })
      : null;
  const intake = mayEscalate && !own ? await intakeForDisplay(known.version ?? null) : null;
  return {
    escalatedAt: standing || thread.resolvedViaSupportAt ? thread.escalatedAt : null,
    resolvedAt: thread.resolvedViaSupportAt,
    ended: standing ? null : moneyWords({ ticketState: latest }, "public"),
    escalateUrl: mayEscalate ? escalationPath(threadId) : null,
    ownTicketUrl: own ? `/tickets/${own.id}` : null,
    paused: intake && !intake.open ? { reopensAt: intake.reopensAt } : null,
    // Open, but some tiers' promises cannot be kept (an absence inside their longer deadline): said here too.
    pausedTiers: intake?.open
      ? intake.tiers.filter((t) => !t.available).map((t) => ({ responseHours: t.responseHours, reopensAt: t.reopensAt }))
      : [],
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
