import { db } from "~/services/db.server";
import { enqueue, type JobRow } from "~/services/jobs.server";
import { sendMail } from "~/services/mail.server";
import { formatPrice } from "~/utils/money";
import { siteOrigin } from "~/utils/url.server";
import { ticketPath } from "~/models/tickets/notify.server";
import type { Tx } from "~/models/types";

// The member's receipt for every capture and refund (docs/decisions/036): the
// forum's own e-mail, queued in the transaction that records the money moving,
// keyed so a replayed event or a second settlement run never sends two. It
// names the member's own payment only: amount, tier, ticket link, never the
// maintainer's notes, the card, or anyone else.

export const RECEIPT_QUEUE = "payment-receipt";
export type ReceiptFor = { kind: "capture"; paymentId: string } | { kind: "refund"; refundId: string };

const keyOf = (r: ReceiptFor) => (r.kind === "capture" ? `receipt:capture:${r.paymentId}` : `receipt:refund:${r.refundId}`);

export async function requestReceipt(tx: Tx, receipt: ReceiptFor, now: Date) {
  const dedupeKey = keyOf(receipt);
  const queued = await tx.job.findFirst({ where: { queue: RECEIPT_QUEUE, dedupeKey }, select: { id: true } });
  if (queued) return;
  await enqueue(tx, RECEIPT_QUEUE, receipt, { dedupeKey, runAt: now, maxAttempts: 20 });
}

const paymentFor = (paymentId: string) =>
  db.payment.findUnique({
    where: { id: paymentId },
    select: {
      amountCents: true,
      currency: true,
      refundedCents: true,
      provider: true,
      ticket: {
        select: { id: true, soldTierName: true, owner: { select: { email: true, username: true } }, thread: { select: { title: true } } },
      },
    },
  });

async function compose(receipt: ReceiptFor) {
  const refund = receipt.kind === "refund" ? await db.refund.findUnique({ where: { id: receipt.refundId } }) : null;
  const payment = await paymentFor(receipt.kind === "capture" ? receipt.paymentId : (refund?.paymentId ?? ""));
  const ticket = payment?.ticket;
  if (!payment || !ticket) return null;
  const link = `${siteOrigin()}${ticketPath(ticket.id)}`;
  const paid = formatPrice(payment.amountCents, payment.currency);
  const lines = refund
    ? [
        `${formatPrice(refund.amountCents, refund.currency)} of your ${paid} payment for ${ticket.soldTierName} support was refunded.`,
        payment.provider === "insurance"
          ? "It was returned to your support insurance coverage."
          : `In total ${formatPrice(payment.refundedCents, payment.currency)} has been refunded. Your bank may take a few days to show it.`,
      ]
    : payment.provider === "insurance"
      ? [`${paid} for ${ticket.soldTierName} support was drawn from your support insurance: the maintainer accepted your ticket.`]
      : [`You paid ${paid} for ${ticket.soldTierName} support: the maintainer accepted your ticket.`];
  return {
    to: ticket.owner.email,
    subject: `Receipt: ${refund ? "refund of " + formatPrice(refund.amountCents, refund.currency) : paid} for “${ticket.thread.title.slice(0, 80)}”`,
    text: [`Hello ${ticket.owner.username},`, "", ...lines, "", `Ticket: ${link}`, ""].join("\n"),
  };
}

/** Queue handler: one receipt per job; a mail failure retries with the queue's backoff. */
export async function runReceiptJobs(jobs: JobRow[]) {
  for (const job of jobs) {
    const mail = await compose(job.payload as ReceiptFor);
    if (mail) await sendMail(mail);
  }
}
