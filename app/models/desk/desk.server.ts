import { z } from "zod";
import { db } from "~/services/db.server";
import { notFound } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { holdEndsAt, holdNotice } from "~/models/payments/card-hold";
import { badgeFor, countByState, QUEUE_STATES, queueClockSelect, sortQueue } from "~/models/desk/queue";
import { can } from "~/models/permissions";
import type { TicketSnapshot } from "~/models/tickets/snapshot";
import { stateLabel, type TicketState } from "~/models/tickets/state";
import type { Actor } from "~/models/types";

// The maintainer desk (docs/product.md §5): paid items only, never community activity.
// Anyone without desk:view is told it does not exist.

export const deskQueueQuerySchema = z
  .object({
    state: z.enum(QUEUE_STATES).optional(),
    tier: z.string().trim().min(1).max(60).optional().describe("A tier slug"),
  })
  .meta({ id: "DeskQueueQuery" });

export type DeskQueueQuery = z.output<typeof deskQueueQuerySchema>;
export const parseDeskQueueQuery = (input: unknown): DeskQueueQuery => parseOrThrow(deskQueueQuerySchema, input);

export function requireDesk(actor: Actor | null | undefined): asserts actor is Actor {
  if (!actor || !can(actor, "desk:view")) throw notFound("Not found.");
}

/** The queue with its badges, the live counts and the filters' choices. */
export async function deskQueue(actor: Actor | null | undefined, query: DeskQueueQuery = {}, now = new Date()) {
  requireDesk(actor);
  const [rows, tiers] = await Promise.all([
    db.ticket.findMany({
      where: { state: { in: [...QUEUE_STATES] } },
      select: {
        ...queueClockSelect,
        snapshot: true,
        acceptedAt: true,
        payments: { orderBy: { createdAt: "desc" }, take: 1, select: { status: true, captureBefore: true } },
        owner: { select: { username: true } },
        tier: { select: { slug: true } },
      },
      take: 2000,
    }),
    db.tier.findMany({ orderBy: [{ position: "asc" }, { priceCents: "asc" }], select: { slug: true, name: true } }),
  ]);
  const counts = countByState(rows);
  const filtered = rows.filter((r) => (!query.state || r.state === query.state) && (!query.tier || r.tier.slug === query.tier));
  const withHolds = filtered.map((r) => ({
    ...r,
    responseHours: r.soldResponseHours,
    holdEndsAt: holdEndsAt({ ...r, payment: r.payments[0] ?? null }),
  }));
  const items = sortQueue(withHolds, now).map((r) => ({
    id: r.id,
    state: r.state as TicketState,
    stateLabel: stateLabel(r.state as TicketState),
    title: (r.snapshot as unknown as TicketSnapshot).thread.title,
    owner: r.owner.username,
    tier: { slug: r.tier.slug, name: r.soldTierName, responseHours: r.soldResponseHours },
    paidAt: r.paidAt,
    deadlineAt: r.deadlineAt,
    answered: r.firstResponseAt !== null,
    badge: badgeFor(r, r.soldResponseHours, now),
    hold: holdNotice({ ...r, payment: r.payments[0] ?? null }, now),
    url: `/tickets/${r.id}`,
  }));
  return {
    items,
    counts: { ...counts, total: rows.length },
    filters: { state: query.state ?? null, tier: query.tier ?? null },
    tiers,
    generatedAt: now,
  };
}

export type DeskQueue = Awaited<ReturnType<typeof deskQueue>>;
