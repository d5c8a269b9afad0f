// `npm run worker`: background jobs (search outbox, response clocks, e-mail) in a
// process of their own, beside web servers started with BACKLINE_JOBS=off.
// Jobs are claimed with SKIP LOCKED leases, so any number of workers may run.
import { createRequire } from "node:module";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { EnvError, parseEnv } from "../env.server";
import { deployMigrations } from "../../prisma/migrations.server.mts";
import { ensureBuild } from "./build";

const root = path.resolve(import.meta.dirname, "../..");

async function main() {
  process.env.NODE_ENV = "production";
  let env;
  try {
    env = parseEnv(process.env);
  } catch (error) {
    if (error instanceof EnvError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (!env.DATABASE_URL) {
    // The embedded database belongs to the app process, which runs the jobs itself.
    console.error("A separate worker needs DATABASE_URL (a PostgreSQL server). With the embedded database, `npm start` runs the jobs.");
    process.exit(1);
  }
  if (env.BACKLINE_BUILD === "auto") ensureBuild(root);
  await deployMigrations({ url: env.DATABASE_URL });
  const build = createRequire(import.meta.url)(path.join(root, "build/index.js")) as ServerBuild;
  const hooks = build.entry.module as unknown as { bootWorker: () => Promise<void>; shutdown: () => Promise<void> };
  await hooks.bootWorker();
  console.log("Backline worker is running background jobs");
  const stop = async (signal: string) => {
    console.log(`${signal}: worker shutting down`);
    await hooks.shutdown().catch((e) => console.error(e));
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
