import { db } from "~/services/db.server";
import { addEntry, balanceOf, lockSubscription } from "~/models/insurance/coverage-ledger.server";
import { demoAccountsOpen, lockDemoAccount } from "~/models/accounts/demo-accounts.server";
import { recordMoneyEvent, recordRelease } from "~/models/payments/money-trail.server";
import { unscheduleClock } from "~/models/tickets/clock.server";
import type { Tx } from "~/models/types";

// `npm run cli -- demo:purge`: what a database that ran in development needs
// before it serves production (docs/decisions/038). Nothing here calls a payment
// provider: test-mode money never existed, so ending it moves none. Every step
// is conditional on the state it changes, so running it twice does nothing more.

const OPEN_TICKET = ["awaiting_acceptance", "open", "waiting_on_customer"] as const;
const UNSETTLED = ["authorized", "capture_pending", "capture_failed", "cancel_pending", "cancel_failed"];
const REASON = "Test-mode data ended by demo:purge; no money moved.";

export type PurgeReport = { lines: string[]; applied: boolean };

export async function purgeDemoAndTestMoney(opts: { confirm: boolean }, now = new Date()): Promise<PurgeReport> {
  const demo = await demoAccountsOpen();
  const plans = await db.insuranceSubscription.findMany({
    where: { provider: "test", status: { in: ["active", "past_due", "incomplete"] } },
    select: { id: true, status: true, plan: { select: { currency: true } } },
  });
  const testDraws = await db.insuranceDraw.findMany({ where: { subscription: { provider: "test" } }, select: { escalationId: true } });
  const tickets = await db.ticket.findMany({
    where: {
      state: { in: [...OPEN_TICKET] },
      OR: [{ escalation: { provider: "test" } }, { escalationId: { in: testDraws.map((d) => d.escalationId) } }],
    },
    select: { id: true, escalationId: true },
  });
  const escalations = await db.escalation.count({ where: { provider: "test", state: { in: ["gate_passed", "checkout_open"] } } });
  const holds = await db.payment.count({ where: { provider: "test", ticketId: null, status: { in: UNSETTLED } } });
  const intents = await db.testPaymentIntent.count();

  const verb = opts.confirm ? "" : "would be ";
  const lines = [
    `Demo accounts with the demo password ${verb}locked (new random password, sessions and tokens ended; their posts stay): ${demo.map((u) => u.email).join(", ") || "none"}`,
    `Test-mode insurance plans ${verb}ended (unused coverage lapses): ${plans.length}`,
    `Open test-mode tickets ${verb}closed as expired, their holds released without a provider call: ${tickets.length}`,
    `Open test-mode checkouts ${verb}cancelled: ${escalations}`,
    `Other test-mode holds ${verb}released: ${holds}`,
    `Simulated test PaymentIntents ${verb}deleted: ${intents}`,
  ];
  if (!opts.confirm) {
    lines.push("Nothing was changed. Run again with --confirm to do it.");
    return { lines, applied: false };
  }

  for (const u of demo) await lockDemoAccount(u.id);
  for (const p of plans) await db.$transaction((tx) => endTestPlan(tx, p, now));
  for (const t of tickets) await db.$transaction((tx) => closeTestTicket(tx, t, now));
  await db.escalation.updateMany({
    where: { provider: "test", state: { in: ["gate_passed", "checkout_open"] } },
    data: { state: "cancelled" },
  });
  await db.$transaction(async (tx) => {
    const loose = await tx.payment.findMany({ where: { provider: "test", ticketId: null, status: { in: UNSETTLED } } });
    for (const p of loose) await releaseTestPayment(tx, p, null);
  });
  await db.testPaymentIntent.deleteMany({});
  lines.push("Done.");
  return { lines, applied: true };
}

async function endTestPlan(tx: Tx, plan: { id: string; status: string; plan: { currency: string } }, now: Date) {
  await lockSubscription(tx, plan.id);
  const { count } = await tx.insuranceSubscription.updateMany({
    where: { id: plan.id, status: plan.status },
    // Never paid: a checkout nobody finished, as the test page's "Decline" leaves it.
    data: plan.status === "incomplete" ? { status: "abandoned" } : { status: "canceled", currentPeriodEnd: now, cancelAtPeriodEnd: false },
  });
  if (!count) return;
  const left = await balanceOf(tx, plan.id);
  if (left <= 0) return;
  await addEntry(tx, { subscriptionId: plan.id, amountCents: -left, kind: "lapse", reference: `testmode-end:${plan.id}` });
  await recordMoneyEvent(tx, {
    kind: "coverage_lapse",
    amountCents: left,
    currency: plan.plan.currency,
    subscriptionId: plan.id,
    reason: REASON,
    reference: `testmode-lapse:${plan.id}`,
  });
}

async function closeTestTicket(tx: Tx, ticket: { id: string; escalationId: string }, now: Date) {
  const { count } = await tx.ticket.updateMany({
    where: { id: ticket.id, state: { in: [...OPEN_TICKET] } },
    data: { state: "expired", closedAt: now },
  });
  if (!count) return;
  await unscheduleClock(tx, ticket.id);
  // The coverage is not returned: the plan it came from was test mode and has ended.
  await tx.insuranceDraw.updateMany({
    where: { escalationId: ticket.escalationId, status: "requires_capture" },
    data: { status: "canceled" },
  });
  const payments = await tx.payment.findMany({ where: { ticketId: ticket.id, status: { in: UNSETTLED } } });
  for (const p of payments) await releaseTestPayment(tx, p, ticket.id);
}

async function releaseTestPayment(
  tx: Tx,
  p: { id: string; amountCents: number; currency: string; escalationId: string | null },
  ticketId: string | null,
) {
  await tx.payment.update({ where: { id: p.id }, data: { status: "canceled", lastError: null, lockedUntil: null } });
  await recordRelease(tx, { ...p, ticketId }, REASON, `testmode-purge:${p.id}`);
}
