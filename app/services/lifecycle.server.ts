import { seedDemoData } from "#prisma/seed-data.server";
import { getEnv } from "~/env.server";
import { disconnectDb } from "./db.server";
import { registerQueue, releaseOrphanedJobs, startWorker, stopWorker } from "./jobs.server";
import { logger } from "./logger.server";
import { startNotificationMail } from "./notification-mail.server";
import { HOUSEKEEPING_QUEUE, runHousekeepingJob, scheduleHousekeeping } from "~/models/housekeeping.server";
import { registerSupportQueues, startSupportSchedules } from "~/models/tickets/queues.server";
import { refuseDemoAccountsInProduction } from "~/models/accounts/demo-accounts.server";
import { RERENDER_QUEUE, runRerenderJob, scheduleRerender } from "~/models/community/rerender.server";
import { startSearch, stopSearch } from "#search/index.server";

// Called by app/server/main.ts once the database is migrated, inside the same
// module graph as the routes, so both share one database client.
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
  await startNotificationMail();
  registerSupportQueues();
  await startSupportSchedules();
  registerQueue(HOUSEKEEPING_QUEUE, runHousekeepingJob, 1);
  await scheduleHousekeeping();
  registerQueue(RERENDER_QUEUE, runRerenderJob, 1);
  await scheduleRerender();
  await startSearch();
}

export async function shutdown() {
  await stopWorker();
  await stopSearch();
  await disconnectDb();
}
