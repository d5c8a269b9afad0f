import { seedDemoData } from "#prisma/seed-data.server";
import { startSearch, stopSearch } from "#search/index.server";
import { getEnv } from "~/env.server";
import { refuseDemoAccountsInProduction } from "~/models/accounts/demo-accounts.server";
import { disconnectDb } from "~/services/db.server";
import { releaseOrphanedJobs, startWorker, stopWorker } from "~/services/jobs.server";
import { logger } from "~/services/logger.server";
import { registerJobs, scheduleJobs } from "./job-registry.server";

// The start-up composition: which domain work runs when the forum (app/server/main.ts) or
// `npm run worker` (app/server/worker.ts) starts and stops. Exported by app/entry.server.tsx,
// so it runs inside the same module graph as the routes and both share one database client.

export async function boot() {
  const env = getEnv();
  const seedWanted = env.BACKLINE_SEED ?? !env.production;
  const demo = seedWanted ? await seedDemoData() : null;
  if (env.production) await refuseDemoAccountsInProduction();
  await prepareJobs();
  if (env.BACKLINE_JOBS === "inline") startWorker();
  logger.debug(`booted (payments: ${env.paymentsMode}, search: ${env.searchEngine})`);
  return { demo };
}

/** `npm run worker`: only the background jobs, for web servers running with BACKLINE_JOBS=off. */
export async function bootWorker() {
  if (getEnv().production) await refuseDemoAccountsInProduction();
  await prepareJobs();
  startWorker();
}

async function prepareJobs() {
  await releaseOrphanedJobs();
  registerJobs();
  await scheduleJobs();
  await startSearch();
}

export async function shutdown() {
  await stopWorker();
  await stopSearch();
  await disconnectDb();
}
