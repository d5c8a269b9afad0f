import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { getEnv } from "~/env.server";
import { RECEIPT_QUEUE, runReceiptJobs } from "~/models/payments/receipt.server";
import { runOnce } from "~/services/jobs.server";
import { startEscalation } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { insuranceStatus } from "~/models/insurance/insurance.server";
import { createPlan } from "~/models/insurance/plans.server";
import { completeTestInsuranceCheckout, startInsuranceCheckout } from "~/models/insurance/purchase.server";
import { reconcilePayments } from "~/models/payments/reconcile.server";
import { acceptTicket } from "~/models/tickets/ticket.server";
import { requestTicketRefund } from "~/models/tickets/refund.server";
import { db } from "~/services/db.server";
import { simulateCheckout } from "~/services/payments/test-mode.server";
import { useTestDatabase } from "../helpers/database";
import { makeUser, type TestUser } from "../helpers/factories";
import { gate, supportWorld } from "../helpers/support-world";

// Refunds in test mode (no Stripe keys) and of tickets paid from support insurance.
useTestDatabase();

let world: Awaited<ReturnType<typeof supportWorld>>;
let plan: { id: string };
beforeAll(async () => {
  world = await supportWorld();
  plan = await createPlan(world.admin, { name: "Refund cover", priceCents: 50000, coverageCents: 20000, currency: "usd", active: "on" });
});

async function accepted(member: TestUser, viaCheckout: boolean) {
  const { escalationId } = await startEscalation(member, world.thread.id, gate());
  if (viaCheckout) await applyPaymentEvent(await simulateCheckout(member.id, escalationId, "authorize"));
  const ticket = await db.ticket.findUniqueOrThrow({ where: { escalationId } });
  await acceptTicket(world.maintainer, ticket.id);
  return { ticketId: ticket.id, payment: await db.payment.findFirstOrThrow({ where: { ticketId: ticket.id } }) };
}

async function insured() {
  const member = await makeUser({ role: "member", trustLevel: 0 });
  const { insuranceId } = await startInsuranceCheckout(member, plan.id);
  await completeTestInsuranceCheckout(member.id, insuranceId, "subscribe");
  return member;
}
const balance = async (m: TestUser) => (await insuranceStatus(m)).subscription!.balanceCents;

describe("refunds outside Stripe", () => {
  it("test mode: a refund is recorded beside the simulated payment and reconciles", async () => {
    const { ticketId, payment } = await accepted(await makeUser({ role: "member", trustLevel: 0 }), true);
    expect(payment).toMatchObject({ provider: "test", status: "captured" });
    const refundId = await requestTicketRefund(world.maintainer, ticketId, { amountCents: 1000, reason: "Test-mode goodwill refund." });
    expect(await db.refund.findUniqueOrThrow({ where: { id: refundId } })).toMatchObject({
      status: "succeeded",
      providerRefundId: `re_test_ticket_${refundId}`,
    });
    expect(await db.payment.findUniqueOrThrow({ where: { id: payment.id } })).toMatchObject({ refundedCents: 1000 });
    const report = await reconcilePayments({ fix: false });
    expect(report.differences.filter((l) => l.includes(payment.id))).toEqual([]);
  });

  it("insurance: a refund returns the amount to the plan's coverage while the plan is active", async () => {
    const member = await insured();
    const { ticketId, payment } = await accepted(member, false);
    expect(payment.provider).toBe("insurance");
    expect(await balance(member)).toBe(20000 - 4900);
    await requestTicketRefund(world.maintainer, ticketId, { reason: "Coverage back: answered in the thread." });
    expect(await balance(member)).toBe(20000);
    expect((await insuranceStatus(member)).subscription!.ledger.map((e) => e.kind)).toContain("refund");
    // The receipts say where the money came from and went back to.
    await runOnce(RECEIPT_QUEUE, runReceiptJobs, 10);
    const mails = readdirSync(path.join(getEnv().dataDir, "mailbox"))
      .map((f) => readFileSync(path.join(getEnv().dataDir, "mailbox", f), "utf8").replace(/=\r?\n/g, ""))
      .filter((m) => m.includes(member.email));
    expect(mails.join("\n")).toContain("was drawn from your support insurance");
    expect(mails.join("\n")).toContain("It was returned to your support insurance coverage.");
    expect(await db.moneyEvent.findMany({ where: { ticketId }, select: { kind: true }, orderBy: { createdAt: "asc" } })).toEqual(
      expect.arrayContaining([{ kind: "refund_requested" }, { kind: "refunded" }]),
    );
  });

  it("insurance: once the plan has ended the refund fails with a message, and no coverage comes back", async () => {
    const member = await insured();
    const { ticketId } = await accepted(member, false);
    await db.insuranceSubscription.updateMany({ where: { userId: member.id }, data: { status: "canceled" } });
    const refundId = await requestTicketRefund(world.maintainer, ticketId, { reason: "Refund after the plan ended." });
    expect(await db.refund.findUniqueOrThrow({ where: { id: refundId } })).toMatchObject({
      status: "failed",
      lastError: expect.stringMatching(/support plan has ended/),
    });
    expect(await db.moneyEvent.count({ where: { ticketId, kind: "refund_failed" } })).toBe(1);
    const ledger = await db.coverageEntry.findMany({ where: { subscription: { userId: member.id } } });
    expect(ledger.map((e) => e.kind)).not.toContain("refund");
  });
});
