// npm run search:reindex
// Rebuilds the whole search index (Meilisearch when MEILI_HOST is set, else the
// PostgreSQL index) into a fresh copy and swaps it in; search keeps answering
// from the old index until then. Safe to run while the forum is running.
import { openDatabase } from "../prisma/database-url.ts";
import { deployMigrations } from "../prisma/migrations.server.mts";
import { Progress } from "./progress.ts";

async function main(): Promise<number> {
  if (process.argv.includes("--help") || process.argv.includes("-h")) {
    console.log("Usage: npm run search:reindex\nRebuilds the search index from the database and swaps it in.");
    return 0;
  }
  const database = await openDatabase();
  process.env.DATABASE_URL = database.url;
  process.env.DATABASE_POOL_SIZE = "1";
  await deployMigrations(database.target);
  const { createSearchEngine } = await import("./index.server.ts");
  const { reindex } = await import("./reindex.server.ts");
  const { disconnectDb } = await import("../app/services/db.server.ts");
  const engine = createSearchEngine();
  try {
    console.log(`Reindexing into a fresh ${engine.name} index…`);
    let progress: Progress | undefined;
    const result = await reindex(engine, {
      onProgress: (done, total) => {
        progress ??= new Progress({ label: "reindex", total, unit: "posts" });
        progress.update(done, total);
      },
    });
    progress?.finish();
    console.log(
      `Indexed ${result.documents.toLocaleString("en-US")} posts of ${result.threads.toLocaleString("en-US")} threads ` +
        `in ${(result.ms / 1000).toFixed(1)}s and swapped the new index in.` +
        (result.caughtUp ? ` ${result.caughtUp} recently changed threads are queued for the worker to re-check.` : ""),
    );
    return 0;
  } finally {
    await engine.close();
    await disconnectDb();
    await database.close();
  }
}

main()
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(`Reindex failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
