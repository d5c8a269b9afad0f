import { db } from "~/services/db.server";
import { enqueue, nudgeWorker, type JobHandler, type JobRow } from "~/services/jobs.server";
import { logger } from "~/services/logger.server";
import { loadThreadDocuments } from "./documents.server";
import type { SearchEngine } from "./engine";
import { announceSearchIndexChange } from "./index-changed.server";
import type { DbOrTx } from "~/models/types";

// The search outbox (docs/product.md §3, docs/decisions/013): content changes enqueue
// "bring thread X up to date" in their own transaction; the worker re-reads
// each thread and makes the index match it. Jobs carry no content, so a retry
// or a late job always writes the current state, never an old one.

export const SEARCH_QUEUE = "search";
export const SEARCH_BATCH_SIZE = 100;
const NUDGE_DELAY_MS = 50;
// Retries back off to one every 10 minutes: this outlasts an engine outage of
// about three days, so a long outage delays a change but never drops it.
export const SEARCH_MAX_ATTEMPTS = 500;

/**
 * Called inside the transaction that changes public content: the search index
 * is brought up to date by the worker, and repeats for one thread collapse.
 */
export async function enqueueSearchSync(tx: DbOrTx, threadId: string) {
  await enqueue(tx, SEARCH_QUEUE, { threadId }, { dedupeKey: `thread:${threadId}`, maxAttempts: SEARCH_MAX_ATTEMPTS });
  // The caller's transaction has almost always committed by then; if not, the
  // worker's regular poll picks the job up a second later.
  setTimeout(nudgeWorker, NUDGE_DELAY_MS).unref();
}

function threadIdOf(job: JobRow): string | null {
  const payload = job.payload as { threadId?: unknown } | null;
  return typeof payload?.threadId === "string" && payload.threadId ? payload.threadId : null;
}

/** The worker's handler for the "search" queue: one read and one engine write per batch. */
export function searchJobHandler(engine: () => SearchEngine): JobHandler {
  return async (jobs) => {
    const threadIds = [...new Set(jobs.map(threadIdOf).filter((id): id is string => id !== null))];
    if (threadIds.length < jobs.length) {
      const malformed = jobs.filter((j) => !threadIdOf(j)).length;
      if (malformed) logger.warn(`search queue: ${malformed} job(s) without a thread id were skipped`);
    }
    if (!threadIds.length) return;
    const threads = await loadThreadDocuments(threadIds);
    await engine().apply(threads);
    await announceSearchIndexChange();
    // A retried batch went through: the engine is back. The changes that queued up during the
    // outage wait out their backoff (up to 10 minutes) unless they are made due now.
    if (jobs.some((j) => j.attempts > 1)) await catchUpAfterOutage();
  };
}

async function catchUpAfterOutage() {
  const now = new Date();
  const { count } = await db.job.updateMany({
    where: { queue: SEARCH_QUEUE, state: "pending", runAt: { gt: now } },
    data: { runAt: now },
  });
  if (count) {
    logger.info(`search: the engine answers again; ${count} waiting change(s) are due now`);
    nudgeWorker();
  }
}

/**
 * Enqueues every visible thread, those of one category (its slug or name, which
 * every document carries, changed), or only the threads whose search jobs
 * changed since `since` (a reindex catching up with writes made while it ran).
 * Inside the caller's transaction when given one.
 */
export async function enqueueThreads(opts: { since?: Date; categoryId?: string } = {}, tx: DbOrTx = db): Promise<number> {
  let threadIds: string[];
  if (opts.since) {
    const rows = await tx.$queryRawUnsafe<{ threadId: string | null }[]>(
      `select distinct payload->>'threadId' as "threadId" from "Job" where queue = $1 and "updatedAt" >= $2`,
      SEARCH_QUEUE,
      opts.since,
    );
    threadIds = rows.map((r) => r.threadId).filter((id): id is string => Boolean(id));
  } else {
    const where = { hidden: false, deletedAt: null, ...(opts.categoryId ? { categoryId: opts.categoryId } : {}) };
    threadIds = (await tx.thread.findMany({ where, select: { id: true } })).map((t) => t.id);
  }
  // In bulk, skipping threads that already wait in the queue (what enqueue's dedupeKey does one by one).
  for (let i = 0; i < threadIds.length; i += 1000) {
    const keys = threadIds.slice(i, i + 1000).map((id) => `thread:${id}`);
    const waiting = await tx.job.findMany({
      where: { queue: SEARCH_QUEUE, state: "pending", lockedUntil: null, dedupeKey: { in: keys } },
      select: { dedupeKey: true },
    });
    const skip = new Set(waiting.map((j) => j.dedupeKey));
    const data = keys
      .filter((k) => !skip.has(k))
      .map((dedupeKey) => ({
        queue: SEARCH_QUEUE,
        dedupeKey,
        payload: { threadId: dedupeKey.slice(7) },
        maxAttempts: SEARCH_MAX_ATTEMPTS,
      }));
    if (data.length) await tx.job.createMany({ data });
  }
  return threadIds.length;
}
