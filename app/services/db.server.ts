import { PrismaPg } from "@prisma/adapter-pg";
import { getEnv } from "~/env.server";
import { PrismaClient } from "~/generated/prisma/client";
import { logger } from "./logger.server";

export type Db = PrismaClient;

// A connection the server drops (restart, failover) surfaces as an `error` event on
// the pool or on a client; without a listener Node would crash the process. The
// query that was using it fails on its own and answers 503 (database-unavailable).
const onConnectionLost = (error: Error) => logger.debug(`database connection lost: ${error.message}`);

export function createPrismaClient(url: string, poolSize: number): PrismaClient {
  const adapter = new PrismaPg(
    // Waiting for a free connection is bounded, so a database that hangs answers 503 instead of hanging the
    // request; generous, because under a burst requests queue for the pool (the embedded database has one).
    { connectionString: url, max: poolSize, connectionTimeoutMillis: 30_000 },
    { onPoolError: onConnectionLost, onConnectionError: onConnectionLost },
  );
  // Prisma waits only 2 s for a transaction's connection by default: under a burst (one connection on the
  // embedded database) replies and searches failed with 500s while the pool queue was merely long.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 30_000, timeout: 15_000 } });
}

// One client per process; kept on globalThis so a rebuilt server module reuses it.
const globalForDb = globalThis as unknown as { __backlineDb?: PrismaClient };

export function getDb(): PrismaClient {
  if (!globalForDb.__backlineDb) {
    const env = getEnv();
    if (!env.DATABASE_URL) {
      throw new Error("No database: start the forum with `npm start`, which opens the embedded database, or set DATABASE_URL.");
    }
    globalForDb.__backlineDb = createPrismaClient(env.DATABASE_URL, env.DATABASE_POOL_SIZE);
  }
  return globalForDb.__backlineDb;
}

export async function disconnectDb() {
  await globalForDb.__backlineDb?.$disconnect();
  globalForDb.__backlineDb = undefined;
}

export const db = new Proxy({} as PrismaClient, {
  get(_target, prop) {
    const client = getDb() as any;
    const value = client[prop];
    return typeof value === "function" ? value.bind(client) : value;
  },
});
