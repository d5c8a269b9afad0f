import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { requirePassword } from "./embedded-postgres-auth.server";
import {
  embeddedPasswordFile,
  ensureEmbeddedPassword,
  newEmbeddedPassword,
  readEmbeddedPassword,
} from "./embedded-postgres-password.server";

// Embedded mode: PGlite (PostgreSQL in WASM) served over the PostgreSQL wire
// protocol on loopback, so the app always talks to "a PostgreSQL server" through
// the same driver (docs/decisions/002, 010). The socket wants a password (030).
export type EmbeddedPostgres = { url: string; db: PGlite; close: () => Promise<void> };

type Options = { dataDir?: string; loadDataDir?: Blob | File; maxConnections?: number };

const USER = "postgres";

export async function startEmbeddedPostgres(opts: Options = {}): Promise<EmbeddedPostgres> {
  const dir = opts.dataDir ? path.join(opts.dataDir, "pglite") : undefined;
  if (dir) {
    // The database files are the database: readable by whoever may read the password.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.platform !== "win32") chmodSync(dir, 0o700);
  }
  // Without a data folder (tests, benchmarks) no other process can attach: a password for this run only.
  const password = opts.dataDir ? ensureEmbeddedPassword(opts.dataDir) : newEmbeddedPassword();
  const db = await PGlite.create({
    dataDir: dir,
    loadDataDir: opts.loadDataDir,
    extensions: { pg_trgm },
    // PostgreSQL's 128 MB default buffer pool is touched at start and stays resident; the data
    // files are in the OS page cache anyway. 24 MB keeps the forum under 400 MB with 100k posts
    // (32 MB peaked at 401); 16 MB made searches never asked before a third slower (docs/benchmarks.md).
    startParams: [...PGlite.defaultStartParams, "-c", "shared_buffers=24MB"],
  });
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: 0,
    maxConnections: opts.maxConnections ?? 4,
  });
  const guard = requirePassword(server, { user: USER, password });
  await server.start();
  const address = server.getServerConn();
  const url = connectionUrl(address, password);
  const lockFile = opts.dataDir ? path.join(opts.dataDir, "embedded.json") : undefined;
  // No secret in here: clients read the password from its own file (runningEmbeddedUrl).
  if (lockFile) writeFileSync(lockFile, JSON.stringify({ pid: process.pid, address }));
  let closed = false;
  return {
    url,
    db,
    async close() {
      if (closed) return;
      closed = true;
      guard.closePending();
      await server.stop();
      await db.close();
      if (lockFile) rmSync(lockFile, { force: true });
    },
  };
}

function connectionUrl(address: string, password: string): string {
  return `postgresql://${USER}:${encodeURIComponent(password)}@${address}/postgres?sslmode=disable`;
}

/**
 * One process owns a PGlite folder. A second process (the CLI while the forum
 * runs) connects to the owner's socket instead of opening the folder again.
 */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  const lockFile = path.join(dataDir, "embedded.json");
  if (!existsSync(lockFile)) return undefined;
  let owner: { pid: number; address?: string };
  try {
    owner = JSON.parse(readFileSync(lockFile, "utf8"));
  } catch {
    return undefined;
  }
  if (!isAlive(owner.pid)) return undefined;
  // Opening the folder a second time would corrupt it: better to stop here.
  if (!owner.address || !/^127\.0\.0\.1:\d+$/.test(owner.address)) {
    // The password goes only to our own loopback socket, whatever the file says.
    throw new Error(
      `${lockFile} names no loopback address (written before the socket had a password?); restart the forum (pid ${owner.pid}).`,
    );
  }
  const password = readEmbeddedPassword(dataDir);
  if (!password) {
    throw new Error(
      `The forum (pid ${owner.pid}) has the database in ${dataDir} open, but ${embeddedPasswordFile(dataDir)} cannot be read by this user.`,
    );
  }
  return connectionUrl(owner.address, password);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's; only "no such process" frees the folder.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
