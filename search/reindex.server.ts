import { allThreadDocuments, countIndexablePosts } from "./documents.server";
import type { SearchEngine } from "./engine";
import { announceSearchIndexChange } from "./index-changed.server";
import { enqueueThreads } from "./outbox.server";

// A full rebuild into a fresh index that is swapped in at the end, so search
// keeps answering from the old index meanwhile (docs/product.md §3).

export type ReindexResult = { documents: number; threads: number; caughtUp: number; ms: number };

// Job timestamps come from the app servers' clocks; this covers their skew.
const CLOCK_SLACK_MS = 60_000;

export async function reindex(
  engine: SearchEngine,
  opts: { onProgress?: (done: number, total: number) => void | Promise<void>; threadsPerBatch?: number } = {},
): Promise<ReindexResult> {
  const started = Date.now();
  const total = await countIndexablePosts();
  await engine.prepare();
  const builder = await engine.rebuild();
  let documents = 0;
  let threads = 0;
  try {
    await opts.onProgress?.(0, total);
    for await (const batch of allThreadDocuments(opts.threadsPerBatch ?? 200)) {
      await builder.add(batch);
      documents += batch.reduce((n, t) => n + t.documents.length, 0);
      threads += batch.length;
      await opts.onProgress?.(documents, Math.max(total, documents));
    }
    await builder.commit();
  } catch (error) {
    await builder.abort().catch(() => {});
    throw error;
  }
  await announceSearchIndexChange();
  // Threads changed while the copy was made may have been read before their
  // change: the worker brings them up to date in the new index.
  const caughtUp = await enqueueThreads({ since: new Date(started - CLOCK_SLACK_MS) });
  return { documents, threads, caughtUp, ms: Date.now() - started };
}
