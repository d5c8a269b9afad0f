import { PrismaPg } from "@prisma/adapter-pg";
import { getEnv } from "~/env.server";
import { PrismaClient } from "~/generated/prisma/client";

export type Db = PrismaClient;

export function createPrismaClient(url: string, poolSize: number): PrismaClient {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: poolSize }),
    // Prisma gives an interactive transaction 2 s to get a connection: a burst of 50 replies on one
    // thread (the embedded database has one connection) made the last ones fail with 500 while plain
    // queries simply waited their turn. Transactions now queue like queries do (test/hostile/concurrency).
    transactionOptions: { maxWait: 20_000, timeout: 20_000 },
  });
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
