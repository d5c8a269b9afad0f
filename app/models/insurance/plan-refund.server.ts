import { enqueue, runPendingJobNow, type JobRow } from "~/services/jobs.server";
import { logger } from "~/services/logger.server";
import { PaymentProviderError, providerFor } from "~/services/payments/payments.server";
import type { InvoiceRefundRequest } from "~/services/payments/types";
import type { Tx } from "~/models/types";

// A support plan refused as a member's second live plan (docs/decisions/029)
// is never delivered, so what its invoice took is given back. The refusal
// commits with an outbox job; the refund is tried at once and the job retries
// it until the provider confirms. The job row is the record: one per invoice.

export const PLAN_REFUND_QUEUE = "insurance-refund";
const SAFETY_NET_DELAY_MS = 30_000;
// With the queue's backoff (capped at 10 minutes) this keeps trying for about five hours of outage.
const MAX_ATTEMPTS = 40;

export type PlanRefund = InvoiceRefundRequest & { provider: string };

const keyOf = (invoiceId: string) => `refund:${invoiceId}`;

/** In the refusal's transaction. A redelivered invoice finds the job already there (or done) and adds none. */
export async function requestPlanRefund(tx: Tx, refund: PlanRefund, now: Date) {
  const existing = await tx.job.findFirst({
    where: { queue: PLAN_REFUND_QUEUE, dedupeKey: keyOf(refund.invoiceId), state: { in: ["pending", "running", "done"] } },
    select: { id: true },
  });
  if (existing) return;
  await enqueue(tx, PLAN_REFUND_QUEUE, refund, {
    dedupeKey: keyOf(refund.invoiceId),
    runAt: new Date(now.getTime() + SAFETY_NET_DELAY_MS),
    maxAttempts: MAX_ATTEMPTS,
  });
}

async function refund(job: Pick<JobRow, "payload" | "attempts">) {
  const { provider, ...request } = job.payload as PlanRefund;
  const refundInvoice = providerFor(provider).refundInvoice;
  if (!refundInvoice) throw new PaymentProviderError(`The ${provider} provider cannot refund an invoice.`, "unsupported", false);
  // A fresh key per attempt (a reused key replays a cached error); "already refunded" counts as done.
  await refundInvoice(request, { idempotencyKey: `refund-${request.invoiceId}-${job.attempts}` });
  logger.info(`insurance ${request.insuranceId}: invoice ${request.invoiceId} refunded (plan refused)`);
}

/**
 * Right after the refusal commits: takes the pending job's lease and runs it
 * now. A failure goes back to the queue with its backoff; the job retries it.
 */
export const refundNow = (invoiceId: string, now = new Date()) => runPendingJobNow(PLAN_REFUND_QUEUE, keyOf(invoiceId), refund, now);

/** Queue handler (batch size 1): the queue's backoff retries until the refund is confirmed. */
export async function runPlanRefundJobs(jobs: JobRow[]) {
  for (const job of jobs) {
    try {
      await refund(job);
    } catch (error) {
      // The failed job stays in the Job table for an admin; the log says what is owed.
      if (job.attempts >= job.maxAttempts)
        logger.error(`insurance refund ${JSON.stringify(job.payload)} gave up: refund it by hand`, error);
      throw error;
    }
  }
}
