import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { getEnv } from "~/env.server";
import { PrismaClient } from "~/generated/prisma/client";
import { logger } from "./logger.server";

export type Db = PrismaClient;

// A connection the server drops (restart, failover) surfaces as an `error` event on
// the pool or on a client; without a listener Node would crash the process. The
// query that was using it fails on its own and answers 503 (database-unavailable).
const onConnectionLost = (error: Error) => logger.debug(`database connection lost: ${error.message}`);

// Prisma writes a new statement text for every length of an `IN (…)` list: only the first few hundred
// distinct texts get a name, so the statements kept in the database session stay bounded.
const MAX_PREPARED = 300;

/** Names for the first MAX_PREPARED distinct statements, so PostgreSQL parses and plans each once per connection. */
function statementNames() {
  const names = new Map<string, string>();
  return (query: { sql: string }): string => {
    let name = names.get(query.sql);
    if (!name && names.size < MAX_PREPARED) {
      name = `b_${createHash("sha1").update(query.sql).digest("base64url").slice(0, 20)}`;
      names.set(query.sql, name);
    }
    // Past the cap: undefined, an unnamed statement, as without a generator.
    return name as string;
  };
}

export function createPrismaClient(url: string, poolSize: number, opts: { prepared?: boolean } = {}): PrismaClient {
  // Waiting for a free connection is bounded, so a database that hangs answers 503 instead of hanging the
  // request; generous, because under a burst requests queue for the pool (the embedded database has one).
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 30_000 });
  // PGlite is one session behind every socket connection: a reconnect finds the statements the last
  // connection prepared, which pg no longer knows about. Queued before the connection's first query.
  if (opts.prepared) pool.on("connect", (client) => void client.query("deallocate all").catch(() => {}));
  const adapter = new PrismaPg(pool, {
    disposeExternalPool: true,
    onPoolError: onConnectionLost,
    onConnectionError: onConnectionLost,
    statementNameGenerator: opts.prepared ? statementNames() : undefined,
  });
  // Prisma waits only 2 s for a transaction's connection by default: under a burst (one connection on the
  // embedded database) replies and searches failed with 500s while the pool queue was merely long
  // (test/hostile/concurrency, test/load).
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
    globalForDb.__backlineDb = createPrismaClient(env.DATABASE_URL, env.DATABASE_POOL_SIZE, {
      prepared: env.DATABASE_PREPARED_STATEMENTS === "on",
    });
  }
  return globalForDb.__backlineDb;
}

export async function disconnectDb() {
  await globalForDb.__backlineDb?.$disconnect();
  globalForDb.__backlineDb = undefined;
}

export const db = new Proxy({} as PrismaClient, {
  get(_target, prop) {
    const client = getDb();
    const value: unknown = Reflect.get(client, prop);
    return typeof value === "function" ? value.bind(client) : value;
  },
});
