import { describe, expect, it } from "vitest";
import { startEscalation } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { CLOCK_QUEUE, expireIfDue, runClockJob } from "~/models/tickets/clock.server";
import { acceptTicket, getTicket, postMessage, requestInfo } from "~/models/tickets/ticket.server";
import { db } from "~/services/db.server";
import { claim } from "~/services/jobs.server";
import { useTestDatabase } from "../helpers/database";
import { makeUser } from "../helpers/factories";
import { gate, useFakeStripeWorld } from "../helpers/support-world";

// The response clock with an injected `now`: every call says what time it is.
useTestDatabase();

const H = 3_600_000;

const ctx = useFakeStripeWorld();

let events = 0;
/** A Standard (48 h) ticket paid at `paidAt`. */
async function ticketPaidAt(paidAt: Date) {
  const member = await makeUser({ role: "member", trustLevel: 0 });
  const { escalationId } = await startEscalation(member, ctx.world.thread.id, gate());
  const { checkoutSessionId } = await db.escalation.findUniqueOrThrow({ where: { id: escalationId } });
  const session = ctx.stripe.completeSession(checkoutSessionId!);
  await applyPaymentEvent(
    {
      id: `evt_clock_${++events}`,
      provider: "stripe",
      type: "checkout.completed",
      sessionId: session.id,
      paymentIntentId: session.payment_intent,
      escalationId,
    },
    paidAt,
  );
  const ticket = await db.ticket.findUniqueOrThrow({ where: { escalationId } });
  return { member, ticketId: ticket.id, paymentIntentId: session.payment_intent! };
}

const releases = (pi: string) => ctx.stripe.calls("POST", new RegExp(`/v1/payment_intents/${pi}/cancel$`)).length;
const captures = (pi: string) => ctx.stripe.calls("POST", new RegExp(`/v1/payment_intents/${pi}/capture$`)).length;
const clockJobs = (ticketId: string) =>
  db.job.findMany({
    where: { queue: CLOCK_QUEUE, state: "pending", dedupeKey: { startsWith: `ticket:${ticketId}:` } },
    orderBy: { runAt: "asc" },
  });

describe("the response clock", () => {
  it("schedules a warning and the deadline when the ticket is paid", async () => {
    const t0 = new Date("2026-04-01T08:00:00Z");
    const { ticketId } = await ticketPaidAt(t0);
    const jobs = await clockJobs(ticketId);
    expect(jobs.map((j) => [(j.payload as { kind: string }).kind, j.runAt.toISOString()])).toEqual([
      ["warning", "2026-04-02T20:00:00.000Z"],
      ["deadline", "2026-04-03T08:00:00.000Z"],
    ]);
  });

  it("expires a ticket nobody decided on by the deadline and releases the hold", async () => {
    const t0 = new Date("2026-04-01T08:00:00Z");
    const { member, ticketId, paymentIntentId } = await ticketPaidAt(t0);
    expect(await runClockJob({ ticketId, kind: "deadline" }, new Date(t0.getTime() + 47.9 * H))).toBe("rescheduled");
    expect(releases(paymentIntentId)).toBe(0);

    expect(await runClockJob({ ticketId, kind: "deadline" }, new Date(t0.getTime() + 48 * H))).toBe("expired");
    const ticket = await getTicket(member, ticketId);
    expect(ticket).toMatchObject({ state: "expired", payment: { status: "canceled" } });
    expect(releases(paymentIntentId)).toBe(1);
    expect(ctx.stripe.intents.get(paymentIntentId)!.status).toBe("canceled");
    const notice = await db.notification.findFirstOrThrow({
      where: { userId: member.id, url: `/tickets/${ticketId}`, title: { contains: "expired" } },
    });
    expect(notice.title).toMatch(/not charged/);
  });

  it("releases the hold once, however many workers run the expiry", async () => {
    const t0 = new Date(Date.now() - 49 * H);
    const { ticketId, paymentIntentId } = await ticketPaidAt(t0);
    // Two app servers poll at the same moment: the claim hands the due job to one of them.
    const [a, b] = await Promise.all([claim(CLOCK_QUEUE, 100), claim(CLOCK_QUEUE, 100)]);
    const mine = (rows: typeof a) => rows.filter((j) => (j.payload as { ticketId: string }).ticketId === ticketId);
    expect(mine(a).length + mine(b).length).toBe(2);
    expect(new Set([...mine(a), ...mine(b)].map((j) => j.id)).size).toBe(2);

    // Even run twice at once (a lease that ran out mid-run), the conditional update lets one win.
    const now = new Date();
    const results = await Promise.all([runClockJob({ ticketId, kind: "deadline" }, now), runClockJob({ ticketId, kind: "deadline" }, now)]);
    expect(results.sort()).toEqual(["expired", "noop"]);
    expect(await expireIfDue(ticketId, now)).toBe(false);
    expect(releases(paymentIntentId)).toBe(1);
  });

  it("lets an accept that came first win over the expiry: captured, never released", async () => {
    const t0 = new Date("2026-04-01T08:00:00Z");
    const { ticketId, paymentIntentId } = await ticketPaidAt(t0);
    await acceptTicket(ctx.world.maintainer, ticketId, {}, new Date(t0.getTime() + 47.99 * H));
    expect(await runClockJob({ ticketId, kind: "deadline" }, new Date(t0.getTime() + 48 * H))).toBe("noop");
    expect(captures(paymentIntentId)).toBe(1);
    expect(releases(paymentIntentId)).toBe(0);
  });

  it("settles exactly one way when accept and expiry race", async () => {
    const t0 = new Date(Date.now() - 48 * H + 50);
    const { ticketId, paymentIntentId } = await ticketPaidAt(t0);
    const [accepted, expired] = await Promise.allSettled([
      acceptTicket(ctx.world.maintainer, ticketId, {}, new Date(t0.getTime() + 48 * H - 1)),
      expireIfDue(ticketId, new Date(t0.getTime() + 48 * H)),
    ]);
    const state = (await db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).state;
    if (state === "open") {
      expect(accepted.status).toBe("fulfilled");
      expect(expired).toEqual({ status: "fulfilled", value: false });
      expect([captures(paymentIntentId), releases(paymentIntentId)]).toEqual([1, 0]);
    } else {
      expect(state).toBe("expired");
      expect(accepted).toMatchObject({ status: "rejected", reason: { status: 409 } });
      expect([captures(paymentIntentId), releases(paymentIntentId)]).toEqual([0, 1]);
    }
  });

  it("refuses an accept after the deadline: the ticket expires and the member pays nothing", async () => {
    const t0 = new Date("2026-04-01T08:00:00Z");
    const { ticketId, paymentIntentId } = await ticketPaidAt(t0);
    await expect(acceptTicket(ctx.world.maintainer, ticketId, {}, new Date(t0.getTime() + 49 * H))).rejects.toMatchObject({ status: 409 });
    expect((await db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).state).toBe("expired");
    expect([captures(paymentIntentId), releases(paymentIntentId)]).toEqual([0, 1]);
  });

  it("pauses while waiting on the member and resumes with the time that was left", async () => {
    const t0 = new Date("2026-04-01T08:00:00Z");
    const at = (h: number) => new Date(t0.getTime() + h * H);
    const { member, ticketId } = await ticketPaidAt(t0);
    await acceptTicket(ctx.world.maintainer, ticketId, {}, at(1));
    const asked = await requestInfo(ctx.world.maintainer, ticketId, { message: "Which proxy sits in front of the app?" }, at(10));
    // The question is the first response: the promise was kept, the clock shows it and stops.
    expect(asked.clock).toMatchObject({ paused: true, answered: true, timeLeftMs: null, text: "answered in 10 h" });
    expect(await clockJobs(ticketId)).toEqual([]);

    // Long after the original deadline, the paused clock has not moved.
    const later = await db.ticket.findUniqueOrThrow({ where: { id: ticketId } });
    expect(Number(later.remainingMs)).toBe(38 * H);
    expect((await getTicket(ctx.world.maintainer, ticketId, at(200))).clock.text).toBe("answered in 10 h");
    expect(await runClockJob({ ticketId, kind: "deadline" }, at(200))).toBe("noop");

    const answered = await postMessage(member, ticketId, { body: "It is nginx 1.24." }, at(200));
    expect(answered.state).toBe("open");
    expect(new Date(answered.deadlineAt).toISOString()).toBe(at(238).toISOString());
    expect((await clockJobs(ticketId)).map((j) => j.runAt.toISOString())).toContain(at(238).toISOString());
  });

  it("warns the desk once when a quarter of the time is left", async () => {
    const t0 = new Date("2026-04-01T08:00:00Z");
    const { ticketId } = await ticketPaidAt(t0);
    expect(await runClockJob({ ticketId, kind: "warning" }, new Date(t0.getTime() + 30 * H))).toBe("noop");
    expect(await runClockJob({ ticketId, kind: "warning" }, new Date(t0.getTime() + 36 * H))).toBe("warned");
    expect(await runClockJob({ ticketId, kind: "warning" }, new Date(t0.getTime() + 37 * H))).toBe("noop");
    const warnings = await db.notification.findMany({ where: { url: `/tickets/${ticketId}`, kind: "sla_warning" } });
    expect(warnings.map((w) => [w.userId, w.lane, w.title])).toEqual(
      expect.arrayContaining([[ctx.world.maintainer.id, "desk", expect.stringMatching(/^12 h left to accept or reject/)]]),
    );
    expect(warnings.every((w) => w.lane === "desk")).toBe(true);
  });
});
