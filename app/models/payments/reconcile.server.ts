import { getEnv } from "~/env.server";
import { db } from "~/services/db.server";
import { enqueue } from "~/services/jobs.server";
import {
  providerFor,
  type PaymentIntentInfo,
  type ProviderDispute,
  type ProviderName,
  type ProviderRefund,
} from "~/services/payments/payments.server";
import { formatPrice } from "~/utils/money";
import { recordMoneyEvent, type MoneyEventKind } from "~/models/payments/money-trail.server";
import { SETTLE_MAX_ATTEMPTS, SETTLE_QUEUE } from "~/models/payments/payment.server";
import { CLOSED_DISPUTE_STATUSES, disputeChanged, syncProviderRefunds } from "~/models/payments/refund-dispute-events.server";

// `npm run cli -- payments:reconcile [--fix]` (docs/decisions/036): every
// Payment and Refund, and every Stripe support plan's coverage credits, compared
// with what its provider holds (Stripe, or the
// test-mode and coverage tables in their modes). Each difference is one line a
// person can act on. --fix repairs only what cannot lose or take money by
// mistake: it records what the provider already did, and queues a capture or
// release our own decision says is due; anything else (money taken for a
// released ticket, a refund we think happened that the provider never made) is
// left to a person.

export type ReconcileReport = { differences: string[]; fixed: string[]; remaining: number };

type PaymentRow = Awaited<ReturnType<typeof payments>>[number];
const payments = () =>
  db.payment.findMany({
    where: { paymentIntentId: { not: null } },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      provider: true,
      paymentIntentId: true,
      status: true,
      amountCents: true,
      currency: true,
      refundedCents: true,
      ticketId: true,
      escalationId: true,
      disputeId: true,
      disputeStatus: true,
      disputedCents: true,
      refunds: { select: { id: true, providerRefundId: true, status: true, amountCents: true, createdAt: true } },
    },
  });

const CAPTURE_SIDE = ["authorized", "capture_pending", "capture_failed"];
const RELEASE_SIDE = ["authorized", "cancel_pending", "cancel_failed"];
const STUCK_REFUND_MS = 60 * 60_000;

export async function reconcilePayments(opts: { fix: boolean }, now = new Date()): Promise<ReconcileReport> {
  const report: ReconcileReport = { differences: [], fixed: [], remaining: 0 };
  for (const p of await payments()) {
    const label = `payment ${p.id} (${p.provider} ${p.paymentIntentId}${p.ticketId ? `, ticket ${p.ticketId}` : ""})`;
    const provider = (() => {
      try {
        return providerFor(p.provider);
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    })();
    if (typeof provider === "string") {
      report.differences.push(`${label}: cannot be checked here: ${provider}`);
      report.remaining += 1;
      continue;
    }
    let pi: PaymentIntentInfo;
    try {
      pi = await provider.retrievePaymentIntent(p.paymentIntentId!);
    } catch (error) {
      report.differences.push(
        `${label}: the provider does not answer for it (${error instanceof Error ? error.message : error}); check it in the dashboard`,
      );
      report.remaining += 1;
      continue;
    }
    await comparePayment(p, pi, label, opts, report, now);
    if (pi.status === "succeeded" && provider.listRefunds) {
      await compareRefunds(p, await provider.listRefunds(p.paymentIntentId!), label, opts, report, now);
    }
    if (pi.status === "succeeded" && provider.listDisputes) {
      await compareDisputes(p, await provider.listDisputes(p.paymentIntentId!), label, opts, report, now);
    }
  }
  if (getEnv().paymentsMode === "stripe") await reconcilePlans(report);
  return report;
}

async function comparePayment(
  p: PaymentRow,
  pi: PaymentIntentInfo,
  label: string,
  opts: { fix: boolean },
  report: ReconcileReport,
  now: Date,
) {
  const differ = (text: string) => report.differences.push(`${label}: ${text}`);
  if (pi.amount !== p.amountCents || pi.currency.toLowerCase() !== p.currency.toLowerCase()) {
    differ(
      `we recorded ${formatPrice(p.amountCents, p.currency)}, the provider holds ${formatPrice(pi.amount, pi.currency)}; correct the record by hand`,
    );
    report.remaining += 1;
  }
  const ours = p.status;
  if (pi.status === "succeeded" && CAPTURE_SIDE.includes(ours)) {
    differ(`the provider captured it, we say ${ours}`);
    if (!opts.fix) return void (report.remaining += 1);
    await record(p, "captured", ours === "authorized" ? "captured_elsewhere" : "captured", now);
    report.fixed.push(`${label}: recorded as captured`);
  } else if (pi.status === "canceled" && RELEASE_SIDE.includes(ours)) {
    differ(`the provider released the hold, we say ${ours}`);
    if (!opts.fix) return void (report.remaining += 1);
    await record(p, "canceled", "released", now);
    report.fixed.push(`${label}: recorded as released`);
  } else if (pi.status === "requires_capture" && (ours === "captured" || ours === "canceled")) {
    const goal = ours === "captured" ? "capture" : "release";
    differ(`we decided to ${goal} it, the hold is still open at the provider`);
    if (!opts.fix) return void (report.remaining += 1);
    await queueSettlement(p.id, ours === "captured" ? "capture_pending" : "cancel_pending", now);
    report.fixed.push(`${label}: ${goal} queued`);
  } else if ((pi.status === "succeeded" && ours === "canceled") || (pi.status === "canceled" && ours === "captured")) {
    differ(
      ours === "canceled"
        ? "we released it, but the provider captured the money: refund it in the dashboard or accept the ticket"
        : "we counted it as captured, but the provider released the hold: the member was never charged; correct the ticket by hand",
    );
    report.remaining += 1;
  }
}

async function record(p: PaymentRow, status: string, kind: MoneyEventKind, now: Date) {
  await db.$transaction(async (tx) => {
    const { count } = await tx.payment.updateMany({ where: { id: p.id, status: p.status }, data: { status, lastError: null } });
    if (!count) return;
    await recordMoneyEvent(tx, {
      kind,
      amountCents: p.amountCents,
      currency: p.currency,
      ticketId: p.ticketId,
      escalationId: p.escalationId,
      paymentId: p.id,
      reason: "Recorded by payments:reconcile from the provider's state",
      reference: `reconcile:${kind}:${p.id}`,
      data: { at: now.toISOString() },
    });
  });
}

async function queueSettlement(paymentId: string, status: "capture_pending" | "cancel_pending", now: Date) {
  await db.$transaction(async (tx) => {
    await tx.payment.update({ where: { id: paymentId }, data: { status, lastError: null } });
    await enqueue(tx, SETTLE_QUEUE, { paymentId }, { dedupeKey: `payment:${paymentId}`, runAt: now, maxAttempts: SETTLE_MAX_ATTEMPTS });
  });
}

async function compareRefunds(
  p: PaymentRow,
  theirs: ProviderRefund[],
  label: string,
  opts: { fix: boolean },
  report: ReconcileReport,
  now: Date,
) {
  const succeeded = theirs.filter((r) => r.status === "succeeded");
  const known = new Set(p.refunds.filter((r) => r.status === "succeeded").map((r) => r.providerRefundId));
  const missing = succeeded.filter((r) => !known.has(r.id));
  for (const r of missing)
    report.differences.push(`${label}: refund ${r.id} of ${formatPrice(r.amountCents, p.currency)} at the provider is not recorded here`);
  if (missing.length) {
    if (opts.fix) report.fixed.push(...(await syncProviderRefunds({ ...p }, missing, now)));
    else report.remaining += missing.length;
  }
  const theirIds = new Set(theirs.map((r) => r.id));
  for (const r of p.refunds) {
    if (r.status === "succeeded" && r.providerRefundId && !theirIds.has(r.providerRefundId)) {
      report.differences.push(
        `${label}: refund ${r.id} is recorded as made (${r.providerRefundId}) but the provider has no such refund; check the dashboard`,
      );
      report.remaining += 1;
    }
    if (r.status === "pending" && now.getTime() - r.createdAt.getTime() > STUCK_REFUND_MS) {
      report.differences.push(
        `${label}: refund ${r.id} of ${formatPrice(r.amountCents, p.currency)} is still pending after an hour; its job retries it (see lastError on the ticket)`,
      );
      report.remaining += 1;
    }
  }
  const total = succeeded.reduce((n, r) => n + r.amountCents, 0);
  const counted = opts.fix
    ? (await db.payment.findUniqueOrThrow({ where: { id: p.id }, select: { refundedCents: true } })).refundedCents
    : p.refundedCents;
  // Unrecorded refunds explain the gap already (listed above) until --fix records them.
  if (counted !== total && (opts.fix || !missing.length)) {
    report.differences.push(
      `${label}: the provider refunded ${formatPrice(total, p.currency)} in all, we count ${formatPrice(counted, p.currency)}; check the refunds by hand`,
    );
    report.remaining += 1;
  }
}

/**
 * A chargeback whose webhook was lost: the desk would not know the member disputed the payment, nor how it ended.
 * A charge has one dispute at most; ours is the one the payment records. --fix applies what the provider holds
 * through the webhook's own handler (the trail entries and the desk's notice included): it records only what
 * already happened at the provider.
 */
async function compareDisputes(
  p: PaymentRow,
  theirs: ProviderDispute[],
  label: string,
  opts: { fix: boolean },
  report: ReconcileReport,
  now: Date,
) {
  const differ = (text: string) => report.differences.push(`${label}: ${text}`);
  const latest = [...theirs].sort((a, b) => b.created.getTime() - a.created.getTime())[0];
  const held = (p.disputeId && theirs.find((d) => d.id === p.disputeId)) || latest;
  if (!held) {
    if (p.disputeId) {
      differ(`we record dispute ${p.disputeId} (${p.disputeStatus}), the provider has none; check the dashboard`);
      report.remaining += 1;
    }
    return;
  }
  const amount = formatPrice(held.amountCents, held.currency);
  const event = (type: "dispute.opened" | "dispute.updated" | "dispute.closed") =>
    disputeChanged(
      {
        id: `reconcile_${held.id}_${type}`,
        provider: p.provider as ProviderName,
        type,
        paymentIntentId: p.paymentIntentId!,
        disputeId: held.id,
        status: held.status,
        amountCents: held.amountCents,
        currency: held.currency,
      },
      now,
    );
  const closed = CLOSED_DISPUTE_STATUSES.includes(held.status);
  if (p.disputeId !== held.id) {
    differ(`dispute ${held.id} over ${amount} (${held.status}) at the provider is not recorded here`);
    if (!opts.fix) return void (report.remaining += 1);
    await event("dispute.opened");
    if (closed) await event("dispute.closed");
    report.fixed.push(`${label}: dispute ${held.id} recorded (${held.status})`);
  } else if (p.disputeStatus !== held.status || p.disputedCents !== held.amountCents) {
    differ(`the provider says dispute ${held.id} over ${amount} is ${held.status}, we say ${p.disputeStatus}`);
    if (!opts.fix) return void (report.remaining += 1);
    await event(closed ? "dispute.closed" : "dispute.updated");
    report.fixed.push(`${label}: dispute ${held.id} recorded as ${held.status}`);
  }
}

/**
 * Support plans bought through Stripe: every coverage credit must answer to an invoice Stripe
 * says is paid, and every paid invoice must have credited the plan. Reported only: how much an
 * invoice credits is the insurance module's rule (docs/decisions/016), applied by its webhook.
 */
export async function reconcilePlans(report: ReconcileReport) {
  const plans = await db.insuranceSubscription.findMany({
    where: { provider: "stripe", stripeSubscriptionId: { not: null } },
    select: { id: true, stripeSubscriptionId: true, ledger: { where: { kind: "credit" }, select: { reference: true, amountCents: true } } },
  });
  for (const plan of plans) {
    const label = `plan ${plan.id} (stripe ${plan.stripeSubscriptionId})`;
    let invoices: { id: string; status: string; amountPaid: number }[];
    try {
      invoices = (await providerFor("stripe").listSubscriptionInvoices?.(plan.stripeSubscriptionId!)) ?? [];
    } catch (error) {
      report.differences.push(`${label}: Stripe does not answer for its invoices (${error instanceof Error ? error.message : error})`);
      report.remaining += 1;
      continue;
    }
    const paid = new Map(invoices.filter((i) => i.status === "paid" && i.amountPaid > 0).map((i) => [`invoice:${i.id}`, i]));
    const credited = new Set(plan.ledger.map((e) => e.reference));
    for (const [reference, invoice] of paid) {
      if (credited.has(reference)) continue;
      report.differences.push(
        `${label}: invoice ${invoice.id} was paid at Stripe but credited no coverage; resend its invoice.paid event from the dashboard`,
      );
      report.remaining += 1;
    }
    for (const entry of plan.ledger) {
      if (entry.reference?.startsWith("invoice:") && !paid.has(entry.reference)) {
        report.differences.push(
          `${label}: coverage credited for ${entry.reference.slice(8)}, which Stripe does not show as paid; check the plan's ledger`,
        );
        report.remaining += 1;
      }
    }
  }
}
