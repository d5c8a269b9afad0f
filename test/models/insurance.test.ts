import { beforeAll, describe, expect, it } from "vitest";
import { startEscalation } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { activeCoverage, insuranceStatus } from "~/models/insurance/insurance.server";
import { createPlan, updatePlan } from "~/models/insurance/plans.server";
import { completeTestInsuranceCheckout, startInsuranceCheckout } from "~/models/insurance/purchase.server";
import { changeRenewal } from "~/models/insurance/renewal.server";
import { endPlanIfDue, PLAN_END_QUEUE } from "~/models/insurance/plan-end.server";
import { ticketMoneyTrail } from "~/models/payments/money-trail.server";
import { expireIfDue } from "~/models/tickets/clock.server";
import { acceptTicket, rejectTicket } from "~/models/tickets/ticket.server";
import { db } from "~/services/db.server";
import { testSubscriptionEvents } from "~/services/payments/test-mode.server";
import { useTestDatabase } from "../helpers/database";
import { makeUser, type TestUser } from "../helpers/factories";
import { gate, makeThread, supportWorld } from "../helpers/support-world";

// Support insurance in test mode (no Stripe keys): the same events a verified
// webhook produces, applied by the same fulfilment.
useTestDatabase();

const origin = "http://localhost:3000";
const H = 3_600_000;
let world: Awaited<ReturnType<typeof supportWorld>>;
let plan: { id: string };
let smallPlan: { id: string };

beforeAll(async () => {
  world = await supportWorld();
  plan = await createPlan(world.admin, { name: "Yearly cover", priceCents: 50000, coverageCents: 20000, currency: "usd", active: "on" });
  // Covers one Standard ticket (49.00) but not two.
  smallPlan = await createPlan(world.admin, {
    name: "Starter cover",
    priceCents: 9900,
    coverageCents: 6000,
    currency: "usd",
    active: "on",
  });
});

/** A member buys a plan on the test checkout page. */
async function insured(planId = plan.id): Promise<TestUser> {
  const member = await makeUser({ role: "member", trustLevel: 0 });
  const { insuranceId, checkoutUrl } = await startInsuranceCheckout(member, planId);
  expect(checkoutUrl).toBe(`${origin}/test-checkout/insurance/${insuranceId}`);
  await completeTestInsuranceCheckout(member.id, insuranceId, "subscribe");
  return member;
}

const status = (m: TestUser) => insuranceStatus(m);
const balance = async (m: TestUser) => (await status(m)).subscription!.balanceCents;
const ticketOf = (escalationId: string) => db.ticket.findUniqueOrThrow({ where: { escalationId }, include: { payments: true } });

describe("buying and renewing a plan", () => {
  it("starts coverage on the first paid invoice: plan, renewal date a year out, balance = the plan's coverage", async () => {
    const member = await insured();
    const s = await status(member);
    expect(s.subscription).toMatchObject({ status: "active", covered: true, balanceCents: 20000, plan: { name: "Yearly cover" } });
    expect(s.subscription!.renewsAt!.getTime()).toBeGreaterThan(Date.now() + 360 * 24 * H);
    expect(s.subscription!.ledger.map((e) => [e.kind, e.amountCents])).toEqual([["credit", 20000]]);
  });

  it("refuses a second plan while one runs", async () => {
    const member = await insured();
    await expect(startInsuranceCheckout(member, plan.id)).rejects.toMatchObject({ status: 409 });
  });

  it("renews once per invoice: a replayed invoice.paid credits nothing more, and last year's rest lapses", async () => {
    const member = await insured();
    const sub = (await status(member)).subscription!;
    // Spend 49.00 so there is something left over to lapse.
    const { escalationId } = await startEscalation(member, world.thread.id, gate());
    await acceptTicket(world.maintainer, (await ticketOf(escalationId)).id);
    expect(await balance(member)).toBe(20000 - 4900);

    const renewal = testSubscriptionEvents.invoicePaid(sub.id, 50000, new Date(Date.now() + 2 * 365 * 24 * H));
    expect(await applyPaymentEvent(renewal)).toBe("applied");
    // The same invoice delivered again under another event id (Stripe may) changes nothing.
    expect(await applyPaymentEvent({ ...renewal, id: `${renewal.id}_again` })).toBe("duplicate");
    const after = (await status(member)).subscription!;
    expect(after.balanceCents).toBe(20000);
    expect(after.ledger.map((e) => e.kind).sort()).toEqual(["credit", "credit", "debit", "lapse"]);
    expect(after.renewsAt!.getTime()).toBeGreaterThan(sub.renewsAt!.getTime());
  });

  it("leaves an abandoned checkout without coverage", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const { insuranceId } = await startInsuranceCheckout(member, plan.id);
    await completeTestInsuranceCheckout(member.id, insuranceId, "decline");
    expect((await status(member)).subscription).toBeNull();
  });
});

describe("escalating while covered", () => {
  it("draws the tier price from the coverage: no checkout page, the same ticket flow, captured on accept", async () => {
    const member = await insured();
    const result = await startEscalation(member, world.thread.id, gate({ tier: "priority" }));
    expect(result.checkoutUrl).toBe(`${origin}/escalate/${world.thread.id}?escalation=${result.escalationId}&checkout=success`);
    const ticket = await ticketOf(result.escalationId);
    expect(ticket.state).toBe("awaiting_acceptance");
    expect(ticket.payments[0]).toMatchObject({ provider: "insurance", status: "authorized", amountCents: 14900 });
    expect(await balance(member)).toBe(20000 - 14900);

    await acceptTicket(world.maintainer, ticket.id);
    expect((await ticketOf(result.escalationId)).payments[0]!.status).toBe("captured");
    expect(await db.insuranceDraw.findUniqueOrThrow({ where: { escalationId: result.escalationId } })).toMatchObject({
      status: "succeeded",
    });
    expect(await balance(member)).toBe(20000 - 14900);
  });

  it("returns the amount when the maintainer rejects the ticket", async () => {
    const member = await insured();
    const { escalationId } = await startEscalation(member, world.thread.id, gate());
    expect(await balance(member)).toBe(20000 - 4900);
    await rejectTicket(world.maintainer, (await ticketOf(escalationId)).id, {
      reason: "duplicate",
      message: "Answered in the thread already.",
    });
    expect((await ticketOf(escalationId)).payments[0]!.status).toBe("canceled");
    const s = (await status(member)).subscription!;
    expect(s.balanceCents).toBe(20000);
    expect(s.ledger.map((e) => [e.kind, e.amountCents])).toEqual(
      expect.arrayContaining([
        ["debit", -4900],
        ["refund", 4900],
      ]),
    );
    // The money trail tells the desk the coverage was drawn, then returned.
    const trail = await ticketMoneyTrail(world.maintainer, (await ticketOf(escalationId)).id);
    expect(trail.map((e) => [e.kind, e.amountCents])).toEqual([
      ["coverage_draw", 4900],
      ["release_requested", 4900],
      ["coverage_return", 4900],
      ["released", 4900],
    ]);
  });

  it("returns the amount when the response promise expires, once even if the release runs twice", async () => {
    const member = await insured();
    const { escalationId } = await startEscalation(member, world.thread.id, gate({ tier: "priority" }));
    const ticket = await ticketOf(escalationId);
    expect(await expireIfDue(ticket.id, new Date(ticket.deadlineAt.getTime() + 1000))).toBe(true);
    expect(await expireIfDue(ticket.id, new Date(ticket.deadlineAt.getTime() + 2000))).toBe(false);
    expect((await ticketOf(escalationId)).state).toBe("expired");
    expect(await balance(member)).toBe(20000);
  });

  it("lets exactly one of two concurrent escalations through when the balance covers only one", async () => {
    const member = await insured(smallPlan.id);
    const second = await makeThread(world.pro.id, member, world.other, "Exports time out on large workspaces");
    const results = await Promise.allSettled([
      startEscalation(member, world.thread.id, gate()),
      startEscalation(member, second.id, gate()),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toMatchObject({ status: 409, message: expect.stringMatching(/coverage has \$11\.00 left/) });
    expect(await balance(member)).toBe(6000 - 4900);
    expect(await db.ticket.count({ where: { ownerId: member.id } })).toBe(1);
    const entries = await db.coverageEntry.findMany({ where: { subscription: { userId: member.id } } });
    expect(entries.reduce((sum, e) => sum + e.amountCents, 0)).toBe(1100);
  });

  it("pays by card when the member chooses to, even while covered", async () => {
    const member = await insured();
    const { checkoutUrl, escalationId } = await startEscalation(member, world.thread.id, gate({ payWith: "card" }));
    expect(checkoutUrl).toBe(`${origin}/test-checkout/${escalationId}`);
    expect(await balance(member)).toBe(20000);
  });
});

describe("a plan ended at the provider", () => {
  it("ends the coverage now: the rest lapses and escalating goes back to the card checkout", async () => {
    const member = await insured();
    const { id } = (await status(member)).subscription!;
    expect(await applyPaymentEvent(testSubscriptionEvents.deleted(id))).toBe("applied");
    const s = (await status(member)).subscription!;
    expect(s).toMatchObject({ status: "canceled", covered: false, balanceCents: 0, renewsAt: null });
    // Delivered again, it finds it done.
    expect(await applyPaymentEvent(testSubscriptionEvents.deleted(s.id))).toBe("duplicate");
    // A late invoice for an ended plan credits nothing, and what it took is given back.
    const late = testSubscriptionEvents.invoicePaid(s.id, 50000, new Date(Date.now() + 400 * 24 * H)) as { invoiceId: string } & Parameters<
      typeof applyPaymentEvent
    >[0];
    expect(await applyPaymentEvent(late)).toBe("applied");
    expect(await balance(member)).toBe(0);
    expect(await db.testPaymentIntent.findUnique({ where: { id: `re_test_local_${late.invoiceId}` } })).toMatchObject({
      status: "refunded",
    });

    await expect(startEscalation(member, world.thread.id, gate({ payWith: "coverage" }))).rejects.toMatchObject({ status: 409 });
    const { checkoutUrl, escalationId } = await startEscalation(member, world.thread.id, gate());
    expect(checkoutUrl).toBe(`${origin}/test-checkout/${escalationId}`);
  });
});

const DAY = 24 * H;
const trail = (subscriptionId: string) =>
  db.moneyEvent.findMany({
    where: { subscriptionId },
    orderBy: [{ kind: "asc" }, { amountCents: "asc" }],
    select: { kind: true, amountCents: true },
  });

// Issue 14, defect 6: cancelling forfeited the year in one click.
describe("don't renew", () => {
  it("needs its confirmation step, then keeps the balance usable until the period ends", async () => {
    const member = await insured();
    await expect(changeRenewal(member, { intent: "dont-renew" })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/Confirm/),
    });
    expect((await status(member)).subscription).toMatchObject({ cancelAtPeriodEnd: false });

    await changeRenewal(member, { intent: "dont-renew", confirm: "yes" });
    const s = (await status(member)).subscription!;
    expect(s).toMatchObject({ status: "active", covered: true, cancelAtPeriodEnd: true, renewsAt: null, balanceCents: 20000 });
    expect(s.endsAt!.getTime()).toBeGreaterThan(Date.now() + 360 * DAY);
    // Still pays for tickets until then.
    const { escalationId } = await startEscalation(member, world.thread.id, gate());
    expect((await ticketOf(escalationId)).payments[0]).toMatchObject({ provider: "insurance", amountCents: 4900 });
  });

  it("ends the plan when its period is over even without the provider's event: the rest lapses, in the money trail too", async () => {
    const member = await insured();
    await changeRenewal(member, { intent: "dont-renew", confirm: "yes" });
    const sub = await db.insuranceSubscription.findFirstOrThrow({ where: { userId: member.id } });
    const job = await db.job.findFirstOrThrow({ where: { queue: PLAN_END_QUEUE, dedupeKey: `plan-end:${sub.id}` } });
    expect(job.runAt).toEqual(sub.currentPeriodEnd);

    expect(await endPlanIfDue(sub.id, new Date(sub.currentPeriodEnd.getTime() - 1000))).toBe(false);
    const after = new Date(sub.currentPeriodEnd.getTime() + 1000);
    // Past the end, coverage pays for nothing even before the job has run.
    expect(await activeCoverage(member.id, after)).toBeNull();
    expect((await insuranceStatus(member, after)).subscription).toMatchObject({ status: "canceled", covered: false });

    expect(await endPlanIfDue(sub.id, after)).toBe(true);
    expect(await endPlanIfDue(sub.id, after)).toBe(false);
    const s = (await insuranceStatus(member, after)).subscription!;
    expect(s).toMatchObject({ status: "canceled", balanceCents: 0 });
    expect(s.ledger.map((e) => [e.kind, e.amountCents])).toEqual(expect.arrayContaining([["lapse", -20000]]));
    expect(await trail(sub.id)).toEqual([
      { kind: "coverage_credit", amountCents: 20000 },
      { kind: "coverage_lapse", amountCents: 20000 },
    ]);
    // Stripe's customer.subscription.deleted arriving afterwards finds it done.
    expect(await applyPaymentEvent(testSubscriptionEvents.deleted(sub.id), after)).toBe("duplicate");
  });

  it("gives back an invoice paid after the plan ended: never charged for coverage it does not get", async () => {
    const member = await insured();
    await changeRenewal(member, { intent: "dont-renew", confirm: "yes" });
    const sub = await db.insuranceSubscription.findFirstOrThrow({ where: { userId: member.id } });
    const after = new Date(sub.currentPeriodEnd.getTime() + 1000);
    expect(await endPlanIfDue(sub.id, after)).toBe(true);
    // The provider renewed it anyway (say, resumed in Stripe's portal, and that change never reached us).
    const renewal = testSubscriptionEvents.invoicePaid(sub.id, 50000, new Date(after.getTime() + 365 * 24 * H));
    expect(await applyPaymentEvent(renewal, after)).toBe("applied");
    const s = (await insuranceStatus(member, after)).subscription!;
    expect(s).toMatchObject({ status: "canceled", covered: false, balanceCents: 0 });
    const invoiceId = (renewal as { invoiceId: string }).invoiceId;
    expect(await db.testPaymentIntent.findUnique({ where: { id: `re_test_local_${invoiceId}` } })).toMatchObject({
      amountCents: 50000,
      status: "refunded",
    });
    expect(await db.moneyEvent.findFirst({ where: { subscriptionId: sub.id, kind: "plan_refund" } })).toMatchObject({ amountCents: 50000 });
  });

  it("can be undone while the period runs: resumed, the plan renews and the end job does nothing", async () => {
    const member = await insured();
    await changeRenewal(member, { intent: "dont-renew", confirm: "yes" });
    await changeRenewal(member, { intent: "resume-renewal" });
    const sub = await db.insuranceSubscription.findFirstOrThrow({ where: { userId: member.id } });
    expect((await status(member)).subscription).toMatchObject({ cancelAtPeriodEnd: false, endsAt: null, renewsAt: sub.currentPeriodEnd });
    expect(await endPlanIfDue(sub.id, new Date(sub.currentPeriodEnd.getTime() + 1000))).toBe(false);
  });
});

describe("a failed renewal payment", () => {
  const failed = (insuranceId: string, at: Date) => ({
    id: `evt_test_local_failed_${insuranceId}_${at.getTime()}`,
    provider: "test" as const,
    type: "invoice.payment_failed" as const,
    invoiceId: `in_failed_${insuranceId}`,
    subscriptionId: `sub_test_local_${insuranceId}`,
    insuranceId,
    occurredAt: at,
  });

  it("makes the plan past due: no draws until a later paid invoice makes it active again", async () => {
    const member = await insured();
    const { id, renewsAt } = (await status(member)).subscription!;
    expect(await applyPaymentEvent(failed(id, new Date()))).toBe("applied");
    expect((await status(member)).subscription).toMatchObject({ status: "past_due", covered: false, balanceCents: 20000 });
    await expect(startEscalation(member, world.thread.id, gate({ payWith: "coverage" }))).rejects.toMatchObject({ status: 409 });

    const paid = testSubscriptionEvents.invoicePaid(id, 50000, new Date(renewsAt!.getTime() + 365 * DAY), "subscription_cycle");
    expect(await applyPaymentEvent(paid)).toBe("applied");
    expect((await status(member)).subscription).toMatchObject({ status: "active", covered: true, balanceCents: 20000 });
    // The failure delivered again, late, is older than the payment: it changes nothing.
    expect(await applyPaymentEvent({ ...failed(id, new Date(Date.now() - 60_000)), id: "evt_test_local_failed_late" })).toBe("ignored");
    expect((await status(member)).subscription).toMatchObject({ status: "active" });
  });
});

// Issue 14, defect 7: any paid invoice credited a full year of the plan's current coverage.
describe("what an invoice credits", () => {
  const renewal = (id: string, amount: number, billingReason: string) =>
    testSubscriptionEvents.invoicePaid(id, amount, new Date(Date.now() + 2 * 365 * DAY), billingReason);

  it("renews with the coverage that was sold, not what the plan says now", async () => {
    const sold = await createPlan(world.admin, {
      name: "Sold cover",
      priceCents: 50000,
      coverageCents: 20000,
      currency: "usd",
      active: "on",
    });
    const member = await insured(sold.id);
    await updatePlan(world.admin, sold.id, { name: "Sold cover", priceCents: 50000, coverageCents: 90000, currency: "usd", active: "on" });
    const { id } = (await status(member)).subscription!;
    expect(await applyPaymentEvent(renewal(id, 50000, "subscription_cycle"))).toBe("applied");
    const s = (await status(member)).subscription!;
    expect(s.balanceCents).toBe(20000);
    expect(s.plan).toMatchObject({ priceCents: 50000, coverageCents: 20000 });
  });

  it("credits nothing for a $0 invoice", async () => {
    const member = await insured();
    const { id } = (await status(member)).subscription!;
    expect(await applyPaymentEvent(renewal(id, 0, "subscription_cycle"))).toBe("ignored");
    expect((await status(member)).subscription!.ledger).toHaveLength(1);
  });

  it("credits a proration its share, without ending the period or lapsing the rest", async () => {
    const member = await insured();
    const before = (await status(member)).subscription!;
    expect(await applyPaymentEvent(renewal(before.id, 12_500, "subscription_update"))).toBe("applied");
    const s = (await status(member)).subscription!;
    // 125.00 of a 500.00 plan: a quarter of its 200.00 coverage.
    expect(s.balanceCents).toBe(20000 + 5000);
    expect(s.renewsAt).toEqual(before.renewsAt);
    expect(s.ledger.map((e) => e.kind)).not.toContain("lapse");
  });

  it("credits a partly paid renewal its share, rounded down, and records it in the money trail", async () => {
    const member = await insured();
    const { id } = (await status(member)).subscription!;
    expect(await applyPaymentEvent(renewal(id, 33_333, "subscription_cycle"))).toBe("applied");
    // 333.33 / 500.00 × 200.00 = 133.332 → 133.33
    expect(await balance(member)).toBe(13_333);
    expect(await trail(id)).toEqual([
      { kind: "coverage_credit", amountCents: 13_333 },
      { kind: "coverage_credit", amountCents: 20000 },
      { kind: "coverage_lapse", amountCents: 20000 },
    ]);
  });
});
