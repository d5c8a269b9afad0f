import { reopenCheckAfterClose } from "~/models/availability/reopen-schedule.server";
import { z } from "zod";
import { db } from "~/services/db.server";
import { forbidden } from "~/utils/errors";
import { emptyOrVisible, NOTHING_VISIBLE } from "~/utils/text";
import { parseOrThrow } from "~/utils/validation";
import { requestSettlement, settleNow } from "~/models/payments/payment.server";
import { unscheduleClock } from "~/models/tickets/clock.server";
import { recordTicketDecision } from "~/models/tickets/money.server";
import { notifyDesk, notifyOwner } from "~/models/tickets/notify.server";
import { claim, getTicket, refOf, visibleTicket, type Actor } from "~/models/tickets/ticket.server";
import { transition } from "~/models/tickets/state";

// The member changes their mind before the maintainer decides (docs/decisions/034):
// the ticket closes as "withdrawn" and the hold is released (or the coverage
// returned) through the settlement outbox, exactly as a rejection would.

export const WITHDRAW_REASON_MAX = 2_000;

export const withdrawSchema = z
  .object({
    reason: z
      .string()
      .trim()
      .max(WITHDRAW_REASON_MAX, `At most ${WITHDRAW_REASON_MAX.toLocaleString("en")} characters.`)
      .refine(emptyOrVisible, NOTHING_VISIBLE)
      .optional()
      .transform((v) => (v ? v : undefined))
      .describe("Why, for the maintainers (optional)"),
  })
  .meta({ id: "WithdrawTicket" });

/** 404 unless the actor sees the ticket; 403 for the desk: only the member who paid withdraws. */
export async function authorizeWithdraw(actor: Actor, id: string) {
  const t = await visibleTicket(actor, id);
  if (t.ownerId !== actor.id) throw forbidden("Only the member who paid for this ticket can withdraw it; maintainers reject it instead.");
  return t;
}

export async function withdrawTicket(actor: Actor, id: string, input: unknown = {}, now = new Date()) {
  const t = await authorizeWithdraw(actor, id);
  const data = parseOrThrow(withdrawSchema, input);
  const next = transition(t, "withdraw");
  const paymentId = await db.$transaction(async (tx) => {
    await claim(tx, t, {
      state: next,
      withdrawnAt: now,
      withdrawReason: data.reason ?? null,
      closedAt: now,
      pausedAt: null,
      remainingMs: null,
    });
    await unscheduleClock(tx, id);
    await reopenCheckAfterClose(tx);
    await recordTicketDecision(tx, id, "release_requested", {
      actorId: actor.id,
      reason: data.reason ? `withdrawn: ${data.reason}` : "withdrawn by the member",
    });
    await notifyDesk(tx, refOf(t), (title) => `${t.owner.username} withdrew the ticket for ${title}; the authorisation is released`, {
      actorId: actor.id,
    });
    await notifyOwner(
      tx,
      refOf(t),
      (title) => `You withdrew your ticket for ${title}: the authorisation is released and you are not charged`,
    );
    return requestSettlement(tx, id, "cancel", now);
  });
  await settleNow(paymentId);
  return getTicket(actor, id, now);
}
