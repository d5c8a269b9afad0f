import { getSearchEngine } from "#search/index.server";
import { REOPEN_QUEUE } from "~/models/availability/reopen-schedule.server";
import { runReopenJobs } from "~/models/availability/reopen.server";
import { SEARCH_BATCH_SIZE, SEARCH_QUEUE, searchJobHandler } from "#search/outbox.server";
import { RERENDER_QUEUE, runRerenderJob, scheduleRerender } from "~/models/community/rerender.server";
import { DESK_DIGEST_QUEUE, runDeskDigestJob, scheduleDeskDigest } from "~/models/desk/digest.server";
import { CHECKOUT_SWEEP_QUEUE, runCheckoutSweepJob, scheduleCheckoutSweep } from "~/models/escalation/checkout-sweep.server";
import { HOUSEKEEPING_QUEUE, runHousekeepingJob, scheduleHousekeeping } from "~/models/housekeeping.server";
import { COVERAGE_FULFIL_QUEUE } from "~/models/insurance/insurance.server";
import { PLAN_END_QUEUE, runPlanEndJobs } from "~/models/insurance/plan-end.server";
import { PLAN_REFUND_QUEUE, runPlanRefundJobs } from "~/models/insurance/plan-refund.server";
import { fulfilCoverageJobs } from "~/models/insurance/purchase.server";
import { HOLD_QUEUE, runHoldJobs } from "~/models/payments/card-hold.server";
import { runSettlementJobs, SETTLE_QUEUE } from "~/models/payments/payment.server";
import { RECEIPT_QUEUE, runReceiptJobs } from "~/models/payments/receipt.server";
import { CLOCK_QUEUE, runClockJobs } from "~/models/tickets/clock.server";
import { REFUND_QUEUE, runRefundJobs } from "~/models/tickets/refund.server";
import { registerQueue, type JobHandler } from "~/services/jobs.server";
import { NOTIFICATION_MAIL_QUEUE, runNotificationMailSweep, scheduleNotificationMailSweep } from "~/services/notification-mail.server";

// Every background queue, with its handler and its recurring schedule, in one list: the web
// process (BACKLINE_JOBS=inline) and `npm run worker` both start from it (app/server/lifecycle.server.ts).

export type Job = {
  queue: string;
  handler: JobHandler;
  /** Jobs claimed per run. One wherever money or a deadline is involved: one failure never delays another. */
  batchSize: number;
  /** Queues the first run of a recurring job; pending runs collapse into one row across app servers. */
  schedule?: () => Promise<unknown>;
};

export const JOBS: readonly Job[] = [
  { queue: NOTIFICATION_MAIL_QUEUE, handler: runNotificationMailSweep, batchSize: 1, schedule: () => scheduleNotificationMailSweep() },
  // The paid lane: response clocks, captures and releases of payments, coverage, refunds, receipts.
  { queue: CLOCK_QUEUE, handler: runClockJobs, batchSize: 1 },
  { queue: SETTLE_QUEUE, handler: runSettlementJobs, batchSize: 1 },
  { queue: COVERAGE_FULFIL_QUEUE, handler: fulfilCoverageJobs, batchSize: 1 },
  { queue: DESK_DIGEST_QUEUE, handler: runDeskDigestJob, batchSize: 1, schedule: () => scheduleDeskDigest() },
  { queue: PLAN_REFUND_QUEUE, handler: runPlanRefundJobs, batchSize: 1 },
  { queue: PLAN_END_QUEUE, handler: runPlanEndJobs, batchSize: 1 },
  { queue: HOLD_QUEUE, handler: runHoldJobs, batchSize: 1 },
  { queue: CHECKOUT_SWEEP_QUEUE, handler: runCheckoutSweepJob, batchSize: 1, schedule: () => scheduleCheckoutSweep() },
  { queue: REFUND_QUEUE, handler: runRefundJobs, batchSize: 1 },
  { queue: RECEIPT_QUEUE, handler: runReceiptJobs, batchSize: 1 },
  // "E-mail me when it reopens": one check, after a ticket closes or when an absence ends.
  { queue: REOPEN_QUEUE, handler: runReopenJobs, batchSize: 1 },
  { queue: HOUSEKEEPING_QUEUE, handler: runHousekeepingJob, batchSize: 1, schedule: () => scheduleHousekeeping() },
  { queue: RERENDER_QUEUE, handler: runRerenderJob, batchSize: 1, schedule: scheduleRerender },
  // Changes to one thread collapse in the outbox, so the search queue works through large batches.
  { queue: SEARCH_QUEUE, handler: searchJobHandler(getSearchEngine), batchSize: SEARCH_BATCH_SIZE },
];

/** Hands the queues to this process's job worker. */
export function registerJobs(jobs: readonly Job[] = JOBS) {
  for (const job of jobs) registerQueue(job.queue, job.handler, job.batchSize);
}

/** Queues the first run of every recurring job (one after another, in the order listed). */
export async function scheduleJobs(jobs: readonly Job[] = JOBS) {
  for (const job of jobs) await job.schedule?.();
}
