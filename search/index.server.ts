import { getEnv } from "~/env.server";
import { db } from "~/services/db.server";
import { logger } from "~/services/logger.server";
import { countIndexablePosts } from "./documents.server";
import type { SearchEngine } from "./engine";
import { MeilisearchEngine } from "./meilisearch.server";
import { enqueueThreads } from "./outbox.server";
import { PostgresSearchEngine } from "./postgres.server";

// Which engine serves this process: Meilisearch when MEILI_HOST is set,
// PostgreSQL full-text search otherwise (D4).

let engine: SearchEngine | undefined;
let retryTimer: NodeJS.Timeout | undefined;

export function createSearchEngine(): SearchEngine {
  const env = getEnv();
  if (env.searchEngine === "meilisearch") {
    return new MeilisearchEngine({
      host: env.MEILI_HOST!,
      apiKey: env.MEILI_API_KEY,
      indexPrefix: env.MEILI_INDEX_PREFIX,
      taskTimeoutMs: env.MEILI_TASK_TIMEOUT_MS,
      onIndexLost: refillLostIndex,
    });
  }
  return new PostgresSearchEngine(db);
}

/** Someone deleted the index (or a new server replaced it): every thread goes back in through the outbox. */
async function refillLostIndex() {
  const queued = await enqueueThreads();
  logger.warn(`search: the Meilisearch index was missing or had lost its settings; set it up again and queued ${queued} threads`);
}

export function getSearchEngine(): SearchEngine {
  engine ??= createSearchEngine();
  return engine;
}

/**
 * At start: index settings applied, and an empty index filled from the
 * database (a fresh install, or a new Meilisearch). If the engine is down the
 * forum still starts; this keeps retrying in the background, and the outbox
 * holds every change until the engine is back.
 */
export async function startSearch(): Promise<void> {
  let delay = 2000;
  const attempt = async (): Promise<boolean> => {
    try {
      const current = getSearchEngine();
      await current.prepare();
      if ((await current.count()) === 0 && (await countIndexablePosts()) > 0) {
        const queued = await enqueueThreads();
        logger.info(`search: the ${current.name} index is empty; queued ${queued} threads for indexing`);
      }
      return true;
    } catch (error) {
      logger.warn(`search: could not prepare the index (retrying in ${Math.round(delay / 1000)}s)`, error);
      return false;
    }
  };
  if (await attempt()) return;
  const retry = async () => {
    retryTimer = undefined;
    if (await attempt()) return;
    delay = Math.min(delay * 2, 300_000);
    retryTimer = setTimeout(retry, delay);
    retryTimer.unref();
  };
  retryTimer = setTimeout(retry, delay);
  retryTimer.unref();
}

export async function stopSearch() {
  clearTimeout(retryTimer);
  retryTimer = undefined;
  await engine?.close();
  engine = undefined;
}
