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
  if (process.env.PROBE_SQL) {
    const stats = new Map<string, { n: number; ms: number }>();
    let lastSql = "";
    const raw = db.execProtocolRawStream.bind(db);
    (db as any).execProtocolRawStream = async (data: Uint8Array, o?: any) => {
      const text = Buffer.from(data).toString("latin1");
      const m = text.match(/(?:select|insert|update|delete|with|begin|commit|savepoint|release)[^\0]{0,90}/i);
      if (m) lastSql = m[0].replace(/\s+/g, " ");
      const key = m ? lastSql : `(${text.slice(0, 1)}) ${lastSql}`;
      const t0 = performance.now();
      try { return await raw(data, o); } finally {
        const s = stats.get(key) ?? { n: 0, ms: 0 }; s.n++; s.ms += performance.now() - t0; stats.set(key, s);
      }
    };
    process.on("SIGUSR2", () => {
      const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 45);
      writeFileSync("/tmp/prof/sql.txt", rows.map(([k, v]) => `${v.ms.toFixed(0).padStart(7)} ms ${String(v.n).padStart(6)}x ${(v.ms / v.n).toFixed(2).padStart(6)} ${k}`).join("\n"));
      stats.clear();
    });
  }
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
