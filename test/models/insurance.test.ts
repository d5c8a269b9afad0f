import { beforeAll, describe, expect, it } from "vitest";
import { startEscalation } from "~/models/escalation.server";
import { applyPaymentEvent } from "~/models/fulfilment.server";
import { createPlan, insuranceStatus } from "~/models/insurance.server";
import { cancelInsurance, completeTestInsuranceCheckout, startInsuranceCheckout } from "~/models/insurance-purchase.server";
import { ticketMoneyTrail } from "~/models/money-trail.server";
import { expireIfDue } from "~/models/ticket-clock.server";
import { acceptTicket, rejectTicket } from "~/models/ticket.server";
import { db } from "~/services/db.server";
import { testSubscriptionEvents } from "~/services/payments/test-mode.server";
import { useTestDatabase } from "../setup/test-database";
import { gate, makeThread, person, supportWorld, type Person } from "../helpers/support";

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
  smallPlan = await createPlan(world.admin, { name: "Starter cover", priceCents: 9900, coverageCents: 6000, currency: "usd", active: "on" });
});

/** A member buys a plan on the test checkout page. */
async function insured(planId = plan.id): Promise<Person> {
  const member = await person("member");
  const { insuranceId, checkoutUrl } = await startInsuranceCheckout(member, planId);
  expect(checkoutUrl).toBe(`${origin}/test-checkout/insurance/${insuranceId}`);
  await completeTestInsuranceCheckout(member.id, insuranceId, "subscribe");
  return member;
}

const status = (m: Person) => insuranceStatus(m);
const balance = async (m: Person) => (await status(m)).subscription!.balanceCents;
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
    const member = await person("member");
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
    expect(await db.insuranceDraw.findUniqueOrThrow({ where: { escalationId: result.escalationId } })).toMatchObject({ status: "succeeded" });
    expect(await balance(member)).toBe(20000 - 14900);
  });

  it("returns the amount when the maintainer rejects the ticket", async () => {
    const member = await insured();
    const { escalationId } = await startEscalation(member, world.thread.id, gate());
    expect(await balance(member)).toBe(20000 - 4900);
    await rejectTicket(world.maintainer, (await ticketOf(escalationId)).id, { reason: "duplicate", message: "Answered in the thread already." });
    expect((await ticketOf(escalationId)).payments[0]!.status).toBe("canceled");
    const s = (await status(member)).subscription!;
    expect(s.balanceCents).toBe(20000);
    expect(s.ledger.map((e) => [e.kind, e.amountCents])).toEqual(expect.arrayContaining([["debit", -4900], ["refund", 4900]]));
    // The money trail tells the desk the coverage was drawn, then returned.
    const trail = await ticketMoneyTrail(world.maintainer, (await ticketOf(escalationId)).id);
    expect(trail.map((e) => [e.kind, e.amountCents])).toEqual([
      ["coverage_draw", 4900], ["release_requested", 4900], ["coverage_return", 4900], ["released", 4900],
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

describe("a cancelled plan", () => {
  it("ends the coverage now: the rest lapses and escalating goes back to the card checkout", async () => {
    const member = await insured();
    await cancelInsurance(member);
    const s = (await status(member)).subscription!;
    expect(s).toMatchObject({ status: "canceled", covered: false, balanceCents: 0, renewsAt: null });
    // Stripe's customer.subscription.deleted arriving later finds it done.
    expect(await applyPaymentEvent(testSubscriptionEvents.deleted(s.id))).toBe("duplicate");
    // A late invoice for an ended plan credits nothing.
    expect(await applyPaymentEvent(testSubscriptionEvents.invoicePaid(s.id, 50000, new Date(Date.now() + 400 * 24 * H)))).toBe("ignored");
    expect(await balance(member)).toBe(0);

    await expect(startEscalation(member, world.thread.id, gate({ payWith: "coverage" }))).rejects.toMatchObject({ status: 409 });
    const { checkoutUrl, escalationId } = await startEscalation(member, world.thread.id, gate());
    expect(checkoutUrl).toBe(`${origin}/test-checkout/${escalationId}`);
  });
});
