import { db } from "~/services/db.server";
import { formatDateTime } from "~/components/time";
import { AppError, badRequest } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { requirePermission } from "~/models/permissions";
import { median } from "~/models/desk/metrics";
import { ACTIVE_TICKET_STATES } from "~/models/escalation/open-checkout.server";
import {
  availabilitySchema,
  deadlinesInside,
  intakeOf,
  tierAvailability,
  type Absence,
  type PauseReason,
} from "~/models/availability/availability";
import { scheduleReopenChecks } from "~/models/availability/reopen-schedule.server";
import type { Actor, DbOrTx } from "~/models/types";

// Intake follows what the maintainer can keep (docs/product.md §4.13, docs/decisions/045):
// capacity counts the paid tickets held (awaiting acceptance, open, waiting on the
// customer), absences count against the deadline a purchase now would get.

const ROW = "support";
const MEDIAN_WINDOW_MS = 30 * 24 * 3_600_000;
const HOUR_MS = 3_600_000;

/** The limit in total and the current and coming absences: what every intake check reads. */
async function loadLimitAndAbsences(client: DbOrTx, now: Date) {
  const [row, absences] = await Promise.all([
    client.supportAvailability.findUnique({ where: { id: ROW } }),
    client.supportAbsence.findMany({ where: { to: { gt: now } }, orderBy: { from: "asc" } }),
  ]);
  return {
    maxOpenTickets: row?.maxOpenTickets ?? null,
    absences: absences.map((a): Absence & { id: string } => ({ id: a.id, from: a.from, to: a.to, note: a.note })),
  };
}

/** Everything the maintainer set, for the desk and the API. */
export async function loadAvailability(client: DbOrTx = db, now = new Date()) {
  const [set, tierLimits] = await Promise.all([
    loadLimitAndAbsences(client, now),
    client.supportTierLimit.findMany({ select: { tierId: true, maxOpenTickets: true }, orderBy: { tier: { position: "asc" } } }),
  ]);
  return { ...set, tierLimits: tierLimits.map((l) => ({ id: l.tierId, maxOpenTickets: l.maxOpenTickets })) };
}

export const presentAvailability = (a: Awaited<ReturnType<typeof loadAvailability>>) => ({
  maxOpenTickets: a.maxOpenTickets,
  tierLimits: a.tierLimits,
  absences: a.absences.map((x) => ({ id: x.id, from: x.from.toISOString(), to: x.to.toISOString(), note: x.note })),
});

/** Replaces the limit and the absences as a whole; ended absences are kept for the record, never edited. */
export async function saveAvailability(actor: Actor, input: unknown, now = new Date()) {
  requirePermission(actor, "availability:manage");
  const data = parseOrThrow(availabilitySchema, input);
  const known = new Set((await db.tier.findMany({ select: { id: true } })).map((t) => t.id));
  const unknown = (data.tierLimits ?? []).flatMap((l, i) =>
    known.has(l.id) ? [] : [[`tierLimits.${i}.id`, "There is no such tier."] as const],
  );
  if (unknown.length) throw badRequest("Check the tier limits.", Object.fromEntries(unknown));
  await db.$transaction(async (tx) => {
    await tx.supportAvailability.upsert({
      where: { id: ROW },
      create: { id: ROW, maxOpenTickets: data.maxOpenTickets },
      update: { maxOpenTickets: data.maxOpenTickets },
    });
    if (data.tierLimits) {
      await tx.supportTierLimit.deleteMany({});
      const tierLimits = data.tierLimits.flatMap((l) =>
        l.maxOpenTickets === null ? [] : [{ tierId: l.id, maxOpenTickets: l.maxOpenTickets }],
      );
      if (tierLimits.length) await tx.supportTierLimit.createMany({ data: tierLimits });
    }
    await tx.supportAbsence.deleteMany({ where: { to: { gt: now } } });
    if (data.absences.length) await tx.supportAbsence.createMany({ data: data.absences });
    // A raised limit or a removed absence may reopen intake now; each absence's end may reopen it later.
    await scheduleReopenChecks(tx, [now, ...data.absences.map((a) => a.to)]);
  });
  return presentAvailability(await loadAvailability(db, now));
}

const heldWhere = { state: { in: [...ACTIVE_TICKET_STATES] } };

/** Median hours from payment to the first response per tier, over tickets paid in the last 30 days. */
async function medianFirstResponseHours(now: Date) {
  const rows = await db.ticket.findMany({
    where: { paidAt: { gte: new Date(now.getTime() - MEDIAN_WINDOW_MS) }, firstResponseAt: { not: null } },
    select: { tierId: true, paidAt: true, firstResponseAt: true },
  });
  const byTier = new Map<string, number[]>();
  for (const r of rows) byTier.set(r.tierId, [...(byTier.get(r.tierId) ?? []), r.firstResponseAt!.getTime() - r.paidAt.getTime()]);
  return (tierId: string) => {
    const ms = median(byTier.get(tierId) ?? []);
    return ms === null ? null : Math.round((ms / HOUR_MS) * 10) / 10;
  };
}

/** Whether each tier's promise can be kept now; the cheap part, for the thread page. */
export async function intakeNow(now = new Date()) {
  const [availability, heldByTier, tiers] = await Promise.all([
    loadLimitAndAbsences(db, now),
    db.ticket.groupBy({ by: ["tierId"], where: heldWhere, _count: { _all: true } }),
    // Each active tier with its own limit (docs/decisions/051) in one query: this runs for every member's thread page.
    db.$queryRaw<{ id: string; responseHours: number; tierLimit: number | null }[]>`
      select t."id", t."responseHours", l."maxOpenTickets" as "tierLimit"
      from "Tier" t left join "SupportTierLimit" l on l."tierId" = t."id"
      where t."active" order by t."position" asc, t."createdAt" asc`,
  ]);
  const held = heldByTier.reduce((sum, g) => sum + g._count._all, 0);
  const heldIn = (tierId: string) => heldByTier.find((g) => g.tierId === tierId)?._count._all ?? 0;
  const tierHeld = new Map(tiers.flatMap((t) => (t.tierLimit === null ? [] : [[t.id, { open: heldIn(t.id), max: t.tierLimit }] as const])));
  const promises = tiers.map((t) => ({ id: t.id, responseHours: t.responseHours }));
  const perTier = tierAvailability(
    promises,
    { open: held, max: availability.maxOpenTickets, perTier: tierHeld },
    availability.absences,
    now,
  );
  return { ...intakeOf(perTier), held, maxOpenTickets: availability.maxOpenTickets, tiers: perTier };
}

/** Intake now, for the gate, the API and the escalation check. */
export async function supportStatus(now = new Date()) {
  const [intake, waiting, medianOf] = await Promise.all([
    intakeNow(now),
    // Ahead of a new ticket: those still waiting for their first response.
    db.ticket.count({ where: { ...heldWhere, firstResponseAt: null } }),
    medianFirstResponseHours(now),
  ]);
  await recordIntake(intake.open ? null : intake.reason, now);
  return { ...intake, waiting, tiers: intake.tiers.map((t) => ({ ...t, medianFirstResponseHours: medianOf(t.id) })) };
}

export type SupportStatus = Awaited<ReturnType<typeof supportStatus>>;

export const presentStatus = (s: SupportStatus) => ({
  open: s.open,
  reopensAt: s.reopensAt?.toISOString() ?? null,
  waiting: s.waiting,
  tiers: s.tiers.map((t) => ({
    id: t.id,
    responseHours: t.responseHours,
    medianFirstResponseHours: t.medianFirstResponseHours,
    available: t.available,
    reopensAt: t.reopensAt?.toISOString() ?? null,
  })),
});

/**
 * Pause events for the desk numbers: a check that finds intake paused opens one, a check that
 * finds it open closes it. Checks happen on every gate view, status call and reopen job.
 */
async function recordIntake(paused: PauseReason | null, now: Date) {
  if (!paused) {
    await db.intakePause.updateMany({ where: { endedAt: null }, data: { endedAt: now } });
    return;
  }
  const current = await db.intakePause.findFirst({ where: { endedAt: null }, select: { id: true } });
  if (!current) await db.intakePause.create({ data: { reason: paused, startedAt: now } });
}

/** What a paused tier says, with a date when one is known. */
export function pausedMessage(reason: PauseReason | null, reopensAt: Date | null) {
  if (reason === "capacity") {
    return "Paid support is paused: the maintainer holds as many open tickets as they can answer on time. It reopens as soon as one is resolved or declined; nothing was charged.";
  }
  const when = reopensAt ? ` It reopens on ${formatDateTime(reopensAt)}.` : "";
  return `Paid support is paused: the maintainer is away during the time this promise would run.${when} Nothing was charged.`;
}

/**
 * The escalation check (web form and API alike): 409 support_paused before anything is
 * authorised or drawn from coverage, when the chosen tier's promise cannot be kept.
 */
export async function refuseWhilePaused(tierId: string, now = new Date()) {
  const status = await supportStatus(now);
  const tier = status.tiers.find((t) => t.id === tierId);
  if (!tier || tier.available) return;
  const reopensAt = tier.reopensAt?.toISOString() ?? null;
  throw new AppError(409, "support_paused", pausedMessage(tier.reason, tier.reopensAt), undefined, undefined, { reopensAt });
}

/** For the desk: each coming or current absence with the sold tickets whose deadlines fall inside it. */
export async function absenceWarnings(now = new Date()) {
  const [{ absences }, held] = await Promise.all([
    loadLimitAndAbsences(db, now),
    db.ticket.findMany({
      where: heldWhere,
      select: { id: true, deadlineAt: true, soldTierName: true, thread: { select: { title: true } } },
      orderBy: { deadlineAt: "asc" },
    }),
  ]);
  return absences
    .map((a) => ({
      absence: a,
      tickets: deadlinesInside(a, held).map((t) => ({ id: t.id, title: t.thread.title, tier: t.soldTierName, deadlineAt: t.deadlineAt })),
    }))
    .filter((w) => w.tickets.length > 0);
}
