// `npm run worker`: background jobs (search outbox, response clocks, e-mail) in a
// process of their own, beside web servers started with BACKLINE_JOBS=off.
// Jobs are claimed with SKIP LOCKED leases, so any number of workers may run.
import { deployMigrations } from "#prisma/migrations.server.mts";
import { envOrExit, loadBuild } from "./build";
import { projectRoot } from "./project-root";

const root = projectRoot(import.meta.url);

async function main() {
  const env = envOrExit();
  if (!env.DATABASE_URL) {
    // The embedded database belongs to the app process, which runs the jobs itself.
    console.error("A separate worker needs DATABASE_URL (a PostgreSQL server). With the embedded database, `npm start` runs the jobs.");
    process.exit(1);
  }
  await deployMigrations({ url: env.DATABASE_URL });
  const { hooks } = loadBuild<{ bootWorker: () => Promise<void>; shutdown: () => Promise<void> }>(root);
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
  // A refusal at start (app/models/accounts/demo-accounts.server.ts) is a message for the operator, not a crash.
  console.error(error instanceof Error && error.name === "StartRefusedError" ? error.message : error);
  process.exit(1);
});
