import { enqueue } from "~/services/jobs.server";
import type { DbOrTx } from "~/models/types";

// When intake may reopen, a check is queued (docs/decisions/045): right after a ticket
// closes (capacity freed) and at the end of each absence. The check reads the current
// state, so a check that finds intake still paused sends nothing.

export const REOPEN_QUEUE = "support-reopen";

/** One pending check per moment: saving the availability again or closing two tickets at once collapses into it. */
export async function scheduleReopenChecks(tx: DbOrTx, moments: Date[]) {
  for (const at of new Set(moments.map((d) => d.getTime()))) {
    await enqueue(tx, REOPEN_QUEUE, {}, { dedupeKey: `support-reopen:${at}`, runAt: new Date(at) });
  }
}

/** A ticket closed: a place may be free now. */
export const reopenCheckAfterClose = (tx: DbOrTx) => enqueue(tx, REOPEN_QUEUE, {}, { dedupeKey: "support-reopen:freed" });
