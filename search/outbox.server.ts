import type { Prisma } from "~/generated/prisma/client";
import { enqueue } from "~/services/jobs.server";

/**
 * Called inside the transaction that changes public content: the search index
 * is brought up to date by the worker, and repeats for one thread collapse.
 */
export async function enqueueSearchSync(tx: Prisma.TransactionClient, threadId: string) {
  await enqueue(tx, "search", { threadId }, { dedupeKey: `thread:${threadId}` });
}
