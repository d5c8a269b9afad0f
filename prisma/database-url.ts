import { parseEnv } from "../app/env.server.ts";
import { runningEmbeddedUrl, startEmbeddedPostgres } from "../app/services/embedded-postgres.server.ts";
import type { MigrationTarget } from "./migrations.server.mts";

/**
 * For command-line tools: the configured PostgreSQL server, the running forum's
 * embedded database, or the embedded database opened by this process.
 */
export async function openDatabase(): Promise<{ url: string; target: MigrationTarget; close: () => Promise<void> }> {
  // Parsed afresh: callers point DATABASE_URL at the result before the app reads its config.
  const env = parseEnv(process.env);
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, target: { url: env.DATABASE_URL }, close: async () => {} };
  const running = runningEmbeddedUrl(env.dataDir);
  if (running) {
    // The forum's prepared statements live in the same PGlite session; a second client that
    // prepares (and deallocates on connect) would pull them from under it.
    process.env.DATABASE_PREPARED_STATEMENTS = "off";
    return { url: running, target: { url: running }, close: async () => {} };
  }
  const pg = await startEmbeddedPostgres({ dataDir: env.dataDir });
  return { url: pg.url, target: { pglite: pg.db }, close: pg.close };
}
