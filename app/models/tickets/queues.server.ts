import { registerQueue } from "~/services/jobs.server";
import { runSettlementJobs, SETTLE_QUEUE } from "~/models/payments/payment.server";
import { CLOCK_QUEUE, runClockJobs } from "~/models/tickets/clock.server";
import { COVERAGE_FULFIL_QUEUE } from "~/models/insurance/insurance.server";
import { fulfilCoverageJobs } from "~/models/insurance/purchase.server";
import { PLAN_REFUND_QUEUE, runPlanRefundJobs } from "~/models/insurance/plan-refund.server";
import { PLAN_END_QUEUE, runPlanEndJobs } from "~/models/insurance/plan-end.server";
import { REFUND_QUEUE, runRefundJobs } from "~/models/tickets/refund.server";
import { RECEIPT_QUEUE, runReceiptJobs } from "~/models/payments/receipt.server";
import { DESK_DIGEST_QUEUE, runDeskDigestJob, scheduleDeskDigest } from "~/models/desk/digest.server";
import { HOLD_QUEUE, runHoldJobs } from "~/models/payments/card-hold.server";
import { CHECKOUT_SWEEP_QUEUE, runCheckoutSweepJob, scheduleCheckoutSweep } from "~/models/escalation/checkout-sweep.server";

/** The paid lane's background work: response clocks, and captures and releases of payments. */
export function registerSupportQueues() {
  // One job per batch where money or a deadline is involved: one failure never delays another.
  registerQueue(CLOCK_QUEUE, runClockJobs, 1);
  registerQueue(SETTLE_QUEUE, runSettlementJobs, 1);
  registerQueue(COVERAGE_FULFIL_QUEUE, fulfilCoverageJobs, 1);
  registerQueue(DESK_DIGEST_QUEUE, runDeskDigestJob, 1);
  registerQueue(PLAN_REFUND_QUEUE, runPlanRefundJobs, 1);
  registerQueue(PLAN_END_QUEUE, runPlanEndJobs, 1);
  registerQueue(HOLD_QUEUE, runHoldJobs, 1);
  registerQueue(CHECKOUT_SWEEP_QUEUE, runCheckoutSweepJob, 1);
  registerQueue(REFUND_QUEUE, runRefundJobs, 1);
  registerQueue(RECEIPT_QUEUE, runReceiptJobs, 1);
}

/** Queues the first daily desk digest; pending ones collapse into one row across app servers. */
export async function startSupportSchedules() {
  await scheduleDeskDigest();
  await scheduleCheckoutSweep();
}
