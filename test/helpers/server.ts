import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "../setup/test-database";

const root = path.resolve(__dirname, "../..");

export type TestServer = { url: string; output: () => string; stop: () => Promise<void> };

/**
 * The built app started exactly as `npm start` runs it, on a free port, with a
 * database of its own: a fresh PGlite folder, or a fresh PostgreSQL database.
 */
export async function startServer(
  opts: { seed?: boolean; env?: Record<string, string>; /** Share the test file's database (useTestDatabase().url) to arrange and inspect it directly. */ databaseUrl?: string } = {},
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
    env.DATABASE_URL = database.url;
  }
  const child: ChildProcess = spawn(process.execPath, ["app/server/start.mjs"], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60s:\n${out}`)), 60_000);
    const onData = () => {
      const m = out.match(/running at (http:\/\/\S+) /);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!.replace("localhost", "127.0.0.1"));
      }
    };
    child.stdout!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    output: () => out,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      await database?.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
