import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runningEmbeddedUrl } from "~/services/embedded-postgres.server";
import { startArguments } from "../../app/server/start-command.mjs";
import { createTestDatabase, type TestDatabase } from "./database";
import { listeningUrl } from "./listening";

const root = path.resolve(__dirname, "../..");

export type TestServer = {
  /** The server's address (a restart listens on the same port). */
  readonly url: string;
  /** Everything every process printed, restarts included. */
  output: () => string;
  readonly pid: number;
  /** The server's DATA_DIR (PGlite folder, password file, uploads). */
  readonly dataDir: string;
  /** A connection string for the database the server uses (PGlite: through the server's own socket). */
  databaseUrl: () => string;
  /** Sends a signal and waits for the process to exit. */
  signal: (signal: NodeJS.Signals) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Starts the app again on the same data folder and database (after a crash or a stop). */
  restart: () => Promise<void>;
  stop: () => Promise<void>;
};

/**
 * The built app started exactly as `npm start` runs it, on a free port, with a
 * database of its own: a fresh PGlite folder, or a fresh PostgreSQL database.
 */
export async function startServer(
  opts: {
    seed?: boolean;
    env?: Record<string, string>;
    /** Share the test file's database (useTestDatabase().url) to arrange and inspect it directly. */
    databaseUrl?: string;
    /** PostgreSQL only: the address the app is given for its fresh database (e.g. through a proxy). */
    routeDatabase?: (url: string) => string;
  } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "backline-srv-"));
  let database: TestDatabase | undefined;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    NODE_ENV: "production",
    PORT: "0",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    BACKLINE_BUILD: "skip",
    BACKLINE_SEED: opts.seed ? "1" : "0",
    LOG_LEVEL: "warn",
    ...opts.env,
  };
  if (opts.databaseUrl) {
    env.DATABASE_URL = opts.databaseUrl;
    // PGlite runs one transaction at a time: one connection, as the embedded mode uses.
    if (process.env.TEST_DB_KIND !== "postgres") env.DATABASE_POOL_SIZE = "1";
  } else if (process.env.TEST_DB_KIND === "postgres") {
    database = await createTestDatabase();
    env.DATABASE_URL = opts.routeDatabase ? opts.routeDatabase(database.url) : database.url;
  }
  let out = "";
  let child!: ChildProcess;
  let url = "";
  const launch = async () => {
    out += out ? "\n--- restart ---\n" : "";
    child = spawn(process.execPath, startArguments(root), { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    const from = out.length;
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    url = await new Promise<string>((resolve, reject) => {
      // A machine shared with other work may need longer: TEST_SERVER_START_MS raises the limit.
      const limit = Number(process.env.TEST_SERVER_START_MS) || 60_000;
      const timer = setTimeout(() => reject(new Error(`server did not start in ${limit / 1000}s:\n${out}`)), limit);
      const onData = () => {
        const listening = listeningUrl(out.slice(from));
        if (listening) {
          clearTimeout(timer);
          child.off("exit", onExit);
          resolve(listening);
        }
      };
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}:\n${out}`));
      };
      child.stdout!.on("data", onData);
      child.on("exit", onExit);
    });
    // A restart listens where clients already point.
    env.PORT = new URL(url).port;
  };
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode };
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      child.once("exit", (code, signal) => r({ code, signal })),
    );
    child.kill(sig);
    return exited;
  };
  await launch();
  return {
    get url() {
      return url;
    },
    get pid() {
      return child.pid!;
    },
    dataDir,
    output: () => out,
    databaseUrl() {
      if (database) return database.url;
      // DATA_DIR as the server got it: a test may give it a folder of its own.
      const url = runningEmbeddedUrl(env.DATA_DIR!);
      if (!url) throw new Error("the server's embedded database is not running");
      return url;
    },
    signal,
    restart: launch,
    async stop() {
      await signal("SIGTERM");
      await database?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
