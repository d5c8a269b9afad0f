import { registerQueue } from "~/services/jobs.server";
import { runSettlementJobs, SETTLE_QUEUE } from "./payment.server";
import { CLOCK_QUEUE, runClockJobs } from "./ticket-clock.server";

/** The paid lane's background work: response clocks, and captures and releases of payments. */
export function registerSupportQueues() {
  // One job per batch where money or a deadline is involved: one failure never delays another.
  registerQueue(CLOCK_QUEUE, runClockJobs, 1);
  registerQueue(SETTLE_QUEUE, runSettlementJobs, 1);
}
