// `npm start` (through start.mjs, which builds if needed): open the database (embedded PGlite unless
// DATABASE_URL is set), migrate, seed once, serve. See docs/decisions/010.
import type { AddressInfo } from "node:net";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../services/embedded-postgres.server";
import { deployMigrations, type MigrationTarget } from "#prisma/migrations.server.mts";
import { getEnv } from "../env.server";
import { envOrExit, loadBuild } from "./build";
import { projectRoot } from "./project-root";
import { createApp } from "./http";
import { gracefulShutdown } from "./shutdown";
import { answerOutagesWith503, expressOutageHandler } from "./unavailable";

const started = performance.now();
// How long SIGTERM waits for in-flight requests before closing their connections.
const DRAIN_TIMEOUT_MS = 10_000;
const root = projectRoot(import.meta.url);

async function main() {
  const env = envOrExit();

  let embedded: EmbeddedPostgres | undefined;
  let target: MigrationTarget;
  if (env.DATABASE_URL) {
    target = { url: env.DATABASE_URL };
  } else {
    embedded = await startEmbeddedPostgres({ dataDir: env.dataDir });
    // The app reaches the embedded database like any server. One connection:
    // PGlite runs one transaction at a time (docs/decisions/002).
    process.env.DATABASE_URL = embedded.url;
    process.env.DATABASE_POOL_SIZE = "1";
    process.env.DATABASE_PREPARED_STATEMENTS ??= "on";
    target = { pglite: embedded.db };
  }
  const applied = await deployMigrations(target);
  if (applied.length) console.log(`Applied migrations: ${applied.join(", ")}`);

  const { build, hooks } = loadBuild<{
    boot: () => Promise<{ demo: { users: { email: string; role: string }[]; password: string } | null }>;
    shutdown: () => Promise<void>;
  }>(root);
  const { demo } = await hooks.boot();

  const app = createApp(answerOutagesWith503(build), root, env.PUBLIC_URL ? [env.PUBLIC_URL] : []);
  app.use(expressOutageHandler);
  const server = app.listen(env.PORT, env.HOST, () => {
    const port = (server.address() as AddressInfo).port;
    // With PORT=0 the system chose the port; the development origin (getEnv().publicUrl) names it.
    if (!env.PUBLIC_URL) process.env.PORT = String(port);
    const url = getEnv().publicUrl;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`Backline is running at ${url} (listening on ${env.HOST}:${port}; ready in ${seconds}s)`);
    console.log(
      `Database: ${embedded ? `embedded PGlite in ${path.relative(root, env.dataDir) || "."}/pglite` : "PostgreSQL (DATABASE_URL)"}; ` +
        `search: ${env.searchEngine}; payments: ${env.paymentsMode === "test" ? "TEST MODE (no real money)" : "Stripe"}`,
    );
    if (demo) {
      console.log(`Demo accounts (password "${demo.password}"):`);
      for (const u of demo.users) console.log(`  ${u.role.padEnd(10)} ${u.email}`);
    }
  });

  const shutdown = gracefulShutdown(server);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const draining = shutdown.drain(DRAIN_TIMEOUT_MS);
    // Printed once the listener is closed: from this line on, new connections are refused.
    console.log(`${signal}: shutting down (finishing requests in progress)`);
    const { drained, inFlight } = await draining;
    if (!drained) console.error(`${signal}: ${inFlight} request(s) still running after ${DRAIN_TIMEOUT_MS / 1000}s were cut off`);
    // The job worker finishes the batch it is running; the database closes last.
    await hooks.shutdown().catch((e) => console.error(e));
    await (app.locals.pageCache as { stop(): Promise<void> } | undefined)?.stop().catch((e) => console.error(e));
    await embedded?.close().catch((e) => console.error(e));
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((error) => {
  // A refusal at start (app/models/accounts/demo-accounts.server.ts) is a message for the operator, not a crash.
  console.error(error instanceof Error && error.name === "StartRefusedError" ? error.message : error);
  process.exit(1);
});
