import { reopenCheckAfterClose } from "~/models/availability/reopen-schedule.server";
import { getEnv } from "~/env.server";
import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { renderMarkdown } from "~/services/markdown.server";
import { conflict, notFound } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { explainExpiredCapture, refuseLapsedHold } from "~/models/payments/card-hold.server";
import { refuseRejectWhileCaptured } from "~/models/payments/captured-payment";
import { requestSettlement, retrySettlement, settleNow } from "~/models/payments/payment.server";
import { paidOf, paymentView } from "~/models/payments/payment-view.server";
import { can, requirePermission } from "~/models/permissions";
import { enforce } from "~/models/rate-limit.server";
import { clockView, isDue, pause, resume } from "~/models/tickets/sla";
import { expireIfDue, scheduleClock, unscheduleClock } from "~/models/tickets/clock.server";
import { ticketMoneyTrail } from "~/models/payments/money-trail.server";
import { recordTicketDecision } from "~/models/tickets/money.server";
import { notifyDesk, notifyOwner, type TicketRef } from "~/models/tickets/notify.server";
import type { TicketSnapshot } from "~/models/tickets/snapshot";
import { canTransition, isClosed, stateLabel, transition, type TicketState } from "~/models/tickets/state";
import { refuseTestMoneyTicket } from "~/models/payments/test-money.server";
import type { Actor } from "~/models/types";
import {
  ListTicketsQuery,
  ticketMessageSchema,
  acceptSchema,
  resolveSchema,
  requestInfoSchema,
  rejectSchema,
} from "~/models/tickets/schemas";

// A paid ticket: a private conversation between its owner and the maintainers
// (docs/product.md §4.6–4.7). Anyone else is told it does not exist (404). Every state
// change is a conditional update on the state it was decided from, so two
// maintainers, or a maintainer and the clock, cannot both win.

export type { Actor } from "~/models/types";

const ticketSelect = {
  id: true,
  state: true,
  ownerId: true,
  threadId: true,
  snapshot: true,
  paidAt: true,
  deadlineAt: true,
  pausedAt: true,
  remainingMs: true,
  acceptedAt: true,
  firstResponseAt: true,
  resolvedAt: true,
  closedAt: true,
  rejectReason: true,
  rejectMessage: true,
  withdrawnAt: true,
  withdrawReason: true,
  soldTierName: true,
  soldResponseHours: true,
  soldPriceCents: true,
  soldCurrency: true,
  createdAt: true,
  updatedAt: true,
  owner: { select: { username: true } },
  thread: { select: { title: true, slug: true } },
  tier: { select: { id: true, slug: true } },
  payments: {
    orderBy: { createdAt: "desc" },
    take: 1,
    select: {
      id: true,
      status: true,
      provider: true,
      amountCents: true,
      currency: true,
      lastError: true,
      attempts: true,
      refundedCents: true,
      disputeStatus: true,
      disputedCents: true,
    },
  },
} satisfies Prisma.TicketSelect;

export type TicketRow = Prisma.TicketGetPayload<{ select: typeof ticketSelect }>;

const isDesk = (actor: Actor) => can(actor, "ticket:read:any");

/** The ticket if this actor may read it; otherwise 404, as if it did not exist. */
export async function visibleTicket(actor: Actor, id: string): Promise<TicketRow> {
  const ticket = await db.ticket.findUnique({ where: { id }, select: ticketSelect });
  if (!ticket || !can(actor, "ticket:read", ticket.ownerId)) throw notFound("No such ticket.");
  return ticket;
}

/** For callers that read input afterwards: 404 unless the actor sees the ticket, then 403 without the permission. */
export async function authorizeTicket(actor: Actor, id: string, permission?: "ticket:decide") {
  await visibleTicket(actor, id);
  if (permission) requirePermission(actor, permission);
}

export const refOf = (t: TicketRow): TicketRef => ({ id: t.id, ownerId: t.ownerId, threadTitle: t.thread.title });

/** Ticket messages: links yes, images no, whoever writes. */
export const renderTicketMarkdown = (body: string) =>
  renderMarkdown(body, { allowLinks: true, allowImages: false, siteOrigin: getEnv().publicUrl });
const render = renderTicketMarkdown;

const clockOf = (t: TicketRow, now: Date) => clockView(t, t.soldResponseHours, isClosed(t.state as TicketState), now);

/** The tier as sold (docs/decisions/034): a later edit of the tier changes none of it. */
const soldTier = (t: TicketRow) => ({
  id: t.tier.id,
  slug: t.tier.slug,
  name: t.soldTierName,
  responseHours: t.soldResponseHours,
  priceCents: t.soldPriceCents,
  currency: t.soldCurrency,
});

function summaryOf(t: TicketRow, actor: Actor, now: Date) {
  const snapshot = t.snapshot as unknown as TicketSnapshot;
  return {
    id: t.id,
    state: t.state,
    stateLabel: stateLabel(t.state as TicketState),
    threadId: t.threadId,
    title: snapshot.thread.title,
    tier: soldTier(t),
    owner: t.owner.username,
    paidAt: t.paidAt,
    deadlineAt: t.deadlineAt,
    clock: clockOf(t, now),
    payment: paidOf(t.payments[0], isDesk(actor)),
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

export type TicketSummary = ReturnType<typeof summaryOf>;

/** Own tickets for members; every ticket for the desk, most urgent first, then the faster tier. */
export async function listTickets(actor: Actor, query: ListTicketsQuery = {}, now = new Date()) {
  requirePermission(actor, "ticket:read:own");
  const desk = isDesk(actor);
  const rows = await db.ticket.findMany({
    where: { ...(desk ? {} : { ownerId: actor.id }), ...(query.state ? { state: query.state } : {}) },
    orderBy: { createdAt: "desc" },
    take: 500,
    select: ticketSelect,
  });
  const tickets = rows.map((t) => summaryOf(t, actor, now));
  if (!desk) return tickets;
  const rank = (t: TicketSummary) => (t.clock.timeLeftMs === null ? 2 : t.clock.paused ? 1 : 0);
  return tickets.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.clock.timeLeftMs ?? 0) - (b.clock.timeLeftMs ?? 0) ||
      a.tier.responseHours - b.tier.responseHours ||
      b.updatedAt.getTime() - a.updatedAt.getTime(),
  );
}

/** The whole ticket as this actor may see it: internal notes and payment errors for the desk only. */
export async function getTicket(actor: Actor, id: string, now = new Date()) {
  const t = await visibleTicket(actor, id);
  const desk = isDesk(actor);
  const messages = await db.ticketMessage.findMany({
    where: { ticketId: id, ...(desk ? {} : { internal: false }) },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      body: true,
      bodyHtml: true,
      internal: true,
      createdAt: true,
      authorId: true,
      author: { select: { username: true } },
    },
  });
  const payment = t.payments[0];
  const state = t.state as TicketState;
  return {
    ...summaryOf(t, actor, now),
    snapshot: t.snapshot as unknown as TicketSnapshot,
    acceptedAt: t.acceptedAt,
    firstResponseAt: t.firstResponseAt,
    resolvedAt: t.resolvedAt,
    closedAt: t.closedAt,
    rejectReason: t.rejectReason,
    rejectMessage: t.rejectMessage,
    withdrawnAt: t.withdrawnAt,
    withdrawReason: t.withdrawReason,
    messages: messages.map((m) => ({
      id: m.id,
      author: m.authorId === t.ownerId ? t.owner.username : m.author.username,
      fromOwner: m.authorId === t.ownerId,
      body: m.body,
      bodyHtml: m.bodyHtml,
      internal: m.internal,
      createdAt: m.createdAt,
    })),
    payment: payment ? await paymentView(payment, desk) : null,
    // The money trail is the desk's: an owner sees their payment summary only.
    ...(desk ? { moneyTrail: await ticketMoneyTrail(actor, id) } : {}),
    viewer: {
      isOwner: t.ownerId === actor.id,
      canWithdraw: t.ownerId === actor.id && canTransition(t, "withdraw"),
      canRequestInfo: can(actor, "ticket:decide") && canTransition(t, "request_info"),
      canReply: !isClosed(state) && can(actor, "ticket:reply", t.ownerId) && (t.ownerId === actor.id || state !== "awaiting_acceptance"),
      canNote: can(actor, "ticket:note"),
      canDecide: can(actor, "ticket:decide"),
    },
  };
}

export type TicketView = Awaited<ReturnType<typeof getTicket>>;

/** Claims the transition from the state the decision was made on; a concurrent change makes it a 409. */
export async function claim(tx: Prisma.TransactionClient, t: TicketRow, data: Prisma.TicketUpdateManyMutationInput) {
  const { count } = await tx.ticket.updateMany({ where: { id: t.id, state: t.state }, data });
  if (count === 0) throw conflict("The ticket changed while you were working on it; reload it and try again.");
}

async function addMessage(tx: Prisma.TransactionClient, ticketId: string, authorId: string, body: string, internal = false) {
  await tx.ticketMessage.create({ data: { ticketId, authorId, body, bodyHtml: render(body), internal } });
}

/** A reply from the owner or a maintainer, or a maintainer's internal note. */
export async function postMessage(actor: Actor, id: string, input: unknown, now = new Date()) {
  const t = await visibleTicket(actor, id);
  const data = parseOrThrow(ticketMessageSchema, input);
  const state = t.state as TicketState;
  const fromOwner = t.ownerId === actor.id;
  if (data.internal) {
    requirePermission(actor, "ticket:note");
  } else {
    requirePermission(actor, "ticket:reply", t.ownerId);
    if (isClosed(state)) throw conflict(`This ticket is ${stateLabel(state)}; it takes no more replies.`);
    if (!fromOwner && state === "awaiting_acceptance") {
      throw conflict("Accept the ticket, or ask for information, before replying to the member; or write an internal note.");
    }
  }
  await enforce({ key: `ticket-message:${actor.id}`, max: 60, windowSeconds: 600, what: "ticket messages" });
  await db.$transaction(async (tx) => {
    if (data.internal) {
      await addMessage(tx, id, actor.id, data.body, true);
      return;
    }
    if (fromOwner) {
      if (state === "waiting_on_customer") {
        // The member answered: the clock runs again with the time it had left
        // (before acceptance, as the time left to accept or reject).
        const clock = resume(t, now);
        await claim(tx, t, { state: transition(t, "customer_reply"), ...clock });
        await scheduleClock(tx, { id, deadlineAt: clock.deadlineAt, responseHours: t.soldResponseHours }, now);
      } else {
        await claim(tx, t, { updatedAt: now });
      }
      await addMessage(tx, id, actor.id, data.body);
      await notifyDesk(tx, refOf(t), (title) => `${t.owner.username} replied on the ticket for ${title}`, { actorId: actor.id });
      return;
    }
    await claim(tx, t, { firstResponseAt: t.firstResponseAt ?? now, updatedAt: now });
    await addMessage(tx, id, actor.id, data.body);
    await notifyOwner(tx, refOf(t), (title) => `The maintainer replied on your ticket for ${title}`);
  });
  return getTicket(actor, id, now);
}

/** Accept: the ticket opens and the authorised payment is captured. */
export async function acceptTicket(actor: Actor, id: string, input: unknown = {}, now = new Date()) {
  const t = await visibleTicket(actor, id);
  requirePermission(actor, "ticket:decide");
  const data = parseOrThrow(acceptSchema, input);
  const next = transition(t, "accept");
  await refuseTestMoneyTicket(id, "accepted");
  if (isDue(t, now)) {
    // The promise was missed before anyone decided: the member pays nothing.
    await expireIfDue(id, now);
    throw conflict("The response deadline has passed: the ticket expired and the authorisation was released.");
  }
  await refuseLapsedHold(id, now);
  const paymentId = await db.$transaction(async (tx) => {
    // A bare accept is a decision, not an answer: only a message starts the "answered" clock.
    // Accepting while the member still owes an answer to a question asked before: the ticket opens and its clock runs again.
    const clock = t.pausedAt ? resume(t, now) : {};
    await claim(tx, t, { state: next, ...clock, acceptedAt: now, firstResponseAt: t.firstResponseAt ?? (data.message ? now : null) });
    if (data.message) await addMessage(tx, id, actor.id, data.message);
    await recordTicketDecision(tx, id, "capture_requested", { actorId: actor.id });
    await notifyOwner(tx, refOf(t), (title) => `Your ticket for ${title} was accepted; the maintainer is on it`);
    return requestSettlement(tx, id, "capture", now);
  });
  await settleNow(paymentId);
  await explainExpiredCapture(id);
  return getTicket(actor, id, now);
}

/** Reject with a reason and a message: the authorisation is released, the member is not charged. */
export async function rejectTicket(actor: Actor, id: string, input: unknown, now = new Date()) {
  const t = await visibleTicket(actor, id);
  requirePermission(actor, "ticket:decide");
  const data = parseOrThrow(rejectSchema, input);
  const next = transition(t, "reject");
  refuseRejectWhileCaptured(t.payments[0]);
  const paymentId = await db.$transaction(async (tx) => {
    await claim(tx, t, {
      state: next,
      rejectReason: data.reason,
      rejectMessage: data.message,
      closedAt: now,
      firstResponseAt: t.firstResponseAt ?? now,
    });
    await addMessage(tx, id, actor.id, data.message);
    await unscheduleClock(tx, id);
    await reopenCheckAfterClose(tx);
    await recordTicketDecision(tx, id, "release_requested", { actorId: actor.id, reason: `rejected: ${data.reason}` });
    await notifyOwner(
      tx,
      refOf(t),
      (title) => `Your ticket for ${title} was declined; the authorisation was released and you were not charged`,
    );
    return requestSettlement(tx, id, "cancel", now);
  });
  await settleNow(paymentId);
  return getTicket(actor, id, now);
}

/** Ask the member for information (before or after accepting): the clock pauses until they answer. */
export async function requestInfo(actor: Actor, id: string, input: unknown, now = new Date()) {
  const t = await visibleTicket(actor, id);
  requirePermission(actor, "ticket:decide");
  const data = parseOrThrow(requestInfoSchema, input);
  const next = transition(t, "request_info");
  await db.$transaction(async (tx) => {
    await claim(tx, t, { state: next, ...pause(t, now), firstResponseAt: t.firstResponseAt ?? now });
    await addMessage(tx, id, actor.id, data.message);
    await unscheduleClock(tx, id);
    await notifyOwner(tx, refOf(t), (title) => `The maintainer needs more information on your ticket for ${title}`);
  });
  return getTicket(actor, id, now);
}

/** Resolve: the conversation closes and the public thread shows "Resolved via paid support". */
export async function resolveTicket(actor: Actor, id: string, input: unknown = {}, now = new Date()) {
  const t = await visibleTicket(actor, id);
  requirePermission(actor, "ticket:decide");
  const data = parseOrThrow(resolveSchema, input);
  const next = transition(t, "resolve");
  await db.$transaction(async (tx) => {
    await claim(tx, t, { state: next, resolvedAt: now, closedAt: now, firstResponseAt: t.firstResponseAt ?? (data.message ? now : null) });
    if (data.message) await addMessage(tx, id, actor.id, data.message);
    await unscheduleClock(tx, id);
    await reopenCheckAfterClose(tx);
    await tx.thread.update({ where: { id: t.threadId }, data: { resolvedViaSupportAt: now } });
    await notifyOwner(tx, refOf(t), (title) => `Your ticket for ${title} was resolved`);
  });
  return getTicket(actor, id, now);
}

/** "Retry now" for a capture or release that failed for good. */
export async function retryPayment(actor: Actor, id: string, now = new Date()) {
  const t = await visibleTicket(actor, id);
  requirePermission(actor, "ticket:decide");
  const payment = t.payments[0];
  if (payment?.status === "capture_failed") await refuseTestMoneyTicket(id, "charged");
  const paymentId = payment ? await db.$transaction((tx) => retrySettlement(tx, payment.id, now)) : null;
  if (!paymentId) throw conflict("There is no failed payment step to retry on this ticket.");
  await settleNow(paymentId);
  return getTicket(actor, id, now);
}
