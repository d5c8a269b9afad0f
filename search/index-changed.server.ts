import { db } from "~/services/db.server";
import { logger } from "~/services/logger.server";

// Visitors' search pages are cached with every other public page (ADR 017,
// 020) and dropped when the content version moves. The index follows the
// content a moment later (the worker applies the outbox after the write has
// committed), so an index write moves the version once more: other servers
// see it on their next poll, listeners in this process at once.

// One set per process: the server bundle (app/server/http.ts listens) and the
// Remix build (the worker announces) each carry a copy of this module (ADR 019).
const registry = globalThis as unknown as { __backlineSearchIndexListeners?: Set<() => void> };
const listeners = (registry.__backlineSearchIndexListeners ??= new Set());

export function onSearchIndexChanged(listener: () => void): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

/** Called after an index write has committed (outbox batch, reindex swap). */
export async function announceSearchIndexChange(): Promise<void> {
  try {
    await db.$queryRawUnsafe(`select nextval('"backline_content_version"')::text as v`);
  } catch (error) {
    // The index write itself succeeded; other servers' cached search pages expire within 60 s.
    logger.warn(`search: could not move the content version: ${error instanceof Error ? error.message : String(error)}`);
  }
  for (const listener of listeners) listener();
}
