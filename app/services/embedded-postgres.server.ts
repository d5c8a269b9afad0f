import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

// Embedded mode: PGlite (PostgreSQL in WASM) served over the PostgreSQL wire
// protocol on loopback, so the app always talks to "a PostgreSQL server" through
// the same driver (docs/decisions/002, 010).
export type EmbeddedPostgres = { url: string; db: PGlite; close: () => Promise<void> };

type Options = { dataDir?: string; loadDataDir?: Blob | File; maxConnections?: number };

export async function startEmbeddedPostgres(opts: Options = {}): Promise<EmbeddedPostgres> {
  const dir = opts.dataDir ? path.join(opts.dataDir, "pglite") : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  const db = await PGlite.create({
    dataDir: dir,
    loadDataDir: opts.loadDataDir,
    extensions: { pg_trgm },
    // PostgreSQL's 128 MB default buffer pool is touched at start and stays resident; the data
    // files are in the OS page cache anyway. 32 MB keeps the forum under 400 MB (docs/benchmarks.md).
    startParams: [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB"],
  });
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: 0,
    maxConnections: opts.maxConnections ?? 4,
  });
  await server.start();
  const conn = server.getServerConn();
  const url = `postgresql://postgres:postgres@${conn}/postgres?sslmode=disable`;
  const lockFile = opts.dataDir ? path.join(opts.dataDir, "embedded.json") : undefined;
  if (lockFile) writeFileSync(lockFile, JSON.stringify({ pid: process.pid, url }));
  let closed = false;
  return {
    url,
    db,
    async close() {
      if (closed) return;
      closed = true;
      await server.stop();
      await db.close();
      if (lockFile) rmSync(lockFile, { force: true });
    },
  };
}

/**
 * One process owns a PGlite folder. A second process (the CLI while the forum
 * runs) connects to the owner's socket instead of opening the folder again.
 */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  const lockFile = path.join(dataDir, "embedded.json");
  if (!existsSync(lockFile)) return undefined;
  try {
    const { pid, url } = JSON.parse(readFileSync(lockFile, "utf8")) as { pid: number; url: string };
    process.kill(pid, 0);
    return url;
  } catch {
    return undefined;
  }
}
