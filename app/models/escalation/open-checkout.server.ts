import { logger } from "~/services/logger.server";
import { providerFor } from "~/services/payments/payments.server";
import { conflict } from "~/utils/errors";
import { honoursProvider } from "~/models/payments/test-money.server";
import type { Tx } from "~/models/types";

// One live checkout per member and thing bought (docs/decisions/029): a newer
// escalation of the same thread, or a newer insurance checkout, supersedes the
// older one and expires it at the provider. The decisions are taken under the
// member's row lock, so two tabs (or two servers) take turns; fulfilment takes
// the same lock, so a checkout paid anyway never becomes a second ticket or plan.

export const ACTIVE_TICKET_STATES = ["awaiting_acceptance", "open", "waiting_on_customer"] as const;
export const OPEN_ESCALATION_STATES = ["gate_passed", "checkout_open"] as const;

/** Serialises everything that opens or fulfils a checkout for this member until the transaction ends. */
export async function lockMember(tx: Tx, userId: string) {
  await tx.$queryRaw`select id from "User" where id = ${userId} for update`;
}

export const activeTicketFor = (tx: Tx, ownerId: string, threadId: string, exceptEscalationId?: string) =>
  tx.ticket.findFirst({
    where: {
      threadId,
      ownerId,
      state: { in: [...ACTIVE_TICKET_STATES] },
      ...(exceptEscalationId ? { escalationId: { not: exceptEscalationId } } : {}),
    },
    select: { id: true },
  });

export async function refuseSecondTicket(tx: Tx, ownerId: string, threadId: string) {
  const active = await activeTicketFor(tx, ownerId, threadId);
  if (active) throw conflict(`You already have an open paid ticket for this thread; continue there: /tickets/${active.id}`);
}

type Superseded = { provider: string; checkoutSessionId: string | null };

/**
 * Expires superseded checkouts at their provider. Returns true when one of them
 * was paid before the expiry took effect (its completion event is on the way).
 * A provider that cannot be reached leaves the checkout to expire on its own:
 * fulfilment releases a second authorisation if it is paid meanwhile.
 */
export async function expireSuperseded(checkouts: Superseded[]): Promise<boolean> {
  let paid = false;
  for (const c of checkouts) {
    // A test-mode checkout cannot complete in production (docs/decisions/038): nothing to expire.
    if (!c.checkoutSessionId || c.provider === "insurance" || !honoursProvider(c.provider)) continue;
    try {
      if ((await providerFor(c.provider).expireCheckout(c.checkoutSessionId)) === "complete") paid = true;
    } catch (error) {
      logger.warn(`checkout ${c.checkoutSessionId}: could not be expired (${error instanceof Error ? error.message : "error"})`);
    }
  }
  return paid;
}
