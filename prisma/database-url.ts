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
  const url = env.DATABASE_URL ?? runningEmbeddedUrl(env.dataDir);
  if (url) return { url, target: { url }, close: async () => {} };
  const pg = await startEmbeddedPostgres({ dataDir: env.dataDir });
  return { url: pg.url, target: { pglite: pg.db }, close: pg.close };
}
