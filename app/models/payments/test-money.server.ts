import { getEnv } from "~/env.server";
import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { logger } from "~/services/logger.server";
import { PaymentProviderError, type PaymentEvent } from "~/services/payments/types";
import { conflict } from "~/utils/errors";
import { recordRelease } from "~/models/payments/money-trail.server";
import type { Tx } from "~/models/types";

// Test-mode money in production (docs/decisions/038): a database that ran the
// test checkout and is then switched to BACKLINE_MODE=production keeps its test
// plans, tickets and "captured" payments. None of it is money. This is the one
// rule every path asks: production honours no provider named "test", and no
// coverage draw from a plan bought in test mode.

/** The command that locks the demo accounts and neutralises test-mode money data. */
export const PURGE_COMMAND = "npm run cli -- demo:purge --confirm";

export const honoursProvider = (provider: string) => !(getEnv().production && provider === "test");

const TEST_MONEY_MESSAGE = `it was paid in test mode, which is no money on a live forum. Reject it, or run \`${PURGE_COMMAND}\` to close every test-mode ticket.`;

/** The plans that count as cover: in production a test-mode plan never keeps a member from buying a real one. */
export const honouredPlans = (): Prisma.InsuranceSubscriptionWhereInput => (honoursProvider("test") ? {} : { provider: { not: "test" } });

/** A coverage plan bought in test mode pays for nothing in production: the member is told, never charged by card instead. */
export function refuseTestCoverage(plan: { provider: string }) {
  if (honoursProvider(plan.provider)) return;
  const message =
    "Your support insurance was bought in the test checkout and does not pay for tickets on this live forum. Buy a plan on /insurance, or choose to pay by card.";
  throw conflict(message, { payWith: message });
}

/**
 * Where the money behind an escalation came from. A coverage draw answers for
 * the plan it was drawn from (its Payment's provider says only "insurance").
 */
async function moneySource(tx: Tx, escalation: { id: string; provider: string }): Promise<string> {
  if (escalation.provider !== "insurance") return escalation.provider;
  const draw = await tx.insuranceDraw.findUnique({
    where: { escalationId: escalation.id },
    select: { subscription: { select: { provider: true } } },
  });
  return draw?.subscription.provider ?? "insurance";
}

/** Accepting (capturing) a ticket paid in test mode: 409 in production, before anything changes. */
export async function refuseTestMoneyTicket(ticketId: string, action: string) {
  const ticket = await db.ticket.findUnique({ where: { id: ticketId }, select: { escalation: { select: { id: true, provider: true } } } });
  if (!ticket) return;
  if (!honoursProvider(await moneySource(db as unknown as Tx, ticket.escalation))) {
    throw conflict(`This ticket cannot be ${action}: ${TEST_MONEY_MESSAGE}`);
  }
}

/**
 * The tickets production counts (desk numbers, revenue, a member's paid
 * totals): none paid in test mode, by card or from a test-mode plan.
 */
export async function honouredTicketWhere(): Promise<Prisma.TicketWhereInput> {
  if (honoursProvider("test")) return {};
  const drawn = await db.insuranceDraw.findMany({ where: { subscription: { provider: "test" } }, select: { escalationId: true } });
  return {
    escalation: { provider: { not: "test" } },
    ...(drawn.length ? { escalationId: { notIn: drawn.map((d) => d.escalationId) } } : {}),
  };
}

/**
 * Stripe marks its test mode's events `livemode: false`; production records
 * them as ignored (so a replay is still answered once) and applies none.
 * `rawBody` has passed the signature check.
 */
export function liveOnly(event: PaymentEvent, rawBody: Buffer): PaymentEvent {
  if (!getEnv().production || (JSON.parse(rawBody.toString("utf8")) as { livemode?: unknown }).livemode !== false) return event;
  logger.warn(`stripe webhook ${event.id} (${event.type}) is a test-mode event (livemode false) on a production forum; not applied`);
  return {
    id: event.id,
    provider: event.provider,
    type: "ignored",
    sourceType: `${event.type === "ignored" ? event.sourceType : event.type} (livemode false)`,
  };
}

type TestPayment = { id: string; amountCents: number; currency: string; ticketId: string | null; escalationId: string | null };

/**
 * Production never calls the test provider. Releasing a test "hold" is done at
 * once (nothing real was held); capturing one is refused for good.
 */
export async function settleTestModePayment(payment: TestPayment, goal: "capture" | "cancel"): Promise<"settled"> {
  if (goal === "capture") {
    throw new PaymentProviderError(`A test-mode payment is never captured in production (run \`${PURGE_COMMAND}\`).`, "test_mode", false);
  }
  await db.$transaction(async (tx) => {
    await tx.payment.update({ where: { id: payment.id }, data: { status: "canceled", lastError: null, lockedUntil: null } });
    await recordRelease(tx, payment, "Test-mode payment: nothing real was held.", `testmode-release:${payment.id}`);
  });
  return "settled";
}
