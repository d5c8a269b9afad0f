// npx tsx bench/search-pages.mts [-- --rounds 3]
// The PostgreSQL engine alone, on the `npm run seed:large` dataset (PGlite in .data-bench, or
// BENCH_DATABASE_URL): what a query never asked before costs, and what turning its pages costs
// once its facets, total and ranked ids are cached (ADR 044). Reports wall time and the process's
// CPU time per search: on PGlite every statement runs on this thread, so CPU time is the work a
// search takes from everything else, and varies less than wall time on a shared machine.
import path from "node:path";
import { parseArgs } from "node:util";
import { startEmbeddedPostgres } from "../app/services/embedded-postgres.server.ts";
import { deployMigrations } from "../prisma/migrations.server.mts";
import { BENCH } from "./dataset.ts";

const { values } = parseArgs({ options: { rounds: { type: "string", default: "3" } } });
const ROUNDS = Number(values.rounds);

const url = process.env.BENCH_DATABASE_URL;
if (url) {
  process.env.DATABASE_URL = url;
} else {
  const pg = await startEmbeddedPostgres({ dataDir: path.resolve(import.meta.dirname, "..", BENCH.dataDir) });
  process.env.DATABASE_URL = pg.url;
  process.env.DATABASE_POOL_SIZE = "1";
  await deployMigrations({ pglite: pg.db });
}
process.env.LOG_LEVEL ??= "warn";
const { db, disconnectDb } = await import("../app/services/db.server.ts");
const { PostgresSearchEngine } = await import("../search/postgres.server.ts");
type Query = Parameters<InstanceType<typeof PostgresSearchEngine>["search"]>[0];

const SETS: Record<string, Query[]> = {
  "one word": ["webhook", "nginx", "memory", "token", "thumbnail", "docker", "timezone", "invoice", "migration", "certificate"].map(
    (q) => ({
      q,
    }),
  ),
  typo: ["webhok", "instalation", "paymnet", "kubernets", "thumbnial", "certifcate", "databse", "memroy"].map((q) => ({ q })),
  filtered: [
    { q: "webhook", filters: { category: "pro" } },
    { q: "nginx", filters: { tags: ["nginx"] } },
    { q: "memory", filters: { tags: ["performance"] } },
    { q: "token", filters: { author: "grace" } },
    { q: "upgrade", filters: { from: new Date("2025-06-01") } },
  ],
};

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
  return `p50 ${at(0.5).toFixed(1).padStart(6)} ms  p95 ${at(0.95).toFixed(1).padStart(6)} ms`;
}

async function measure(run: () => Promise<unknown>) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await run();
  const used = process.cpuUsage(cpu);
  return { wall: performance.now() - start, cpu: (used.user + used.system) / 1000 };
}

// Warm-up: JIT, the database's buffers.
for (const queries of Object.values(SETS)) for (const q of queries) await new PostgresSearchEngine(db).search(q);

console.log(`${"case".padEnd(28)} ${"wall".padEnd(30)} cpu`);
for (const [name, queries] of Object.entries(SETS)) {
  const first = { wall: [] as number[], cpu: [] as number[] };
  const turn = { wall: [] as number[], cpu: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const q of queries) {
      // A new engine has an empty cache: this query was never asked.
      const engine = new PostgresSearchEngine(db);
      const a = await measure(() => engine.search({ ...q, page: 1 }));
      first.wall.push(a.wall);
      first.cpu.push(a.cpu);
      for (let page = 2; page <= 5; page++) {
        const b = await measure(() => engine.search({ ...q, page }));
        turn.wall.push(b.wall);
        turn.cpu.push(b.cpu);
      }
    }
  }
  console.log(`${`${name}, new query`.padEnd(28)} ${stats(first.wall)}   ${stats(first.cpu)}`);
  console.log(`${`${name}, pages 2-5`.padEnd(28)} ${stats(turn.wall)}   ${stats(turn.cpu)}`);
}
await disconnectDb();
process.exit(0);
