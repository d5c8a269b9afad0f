// npm run bench:search [-- --posts 100000 --runs 200]
// Seeds a generated forum into an in-memory embedded database (PGlite), builds
// the PostgreSQL search index, and reports index build time, query latency
// (p50/p95) for one-word, multi-word, typo, filtered and similar-thread
// queries, and how long a new or hidden post takes to reach search results.
// Not a test: numbers go to docs/benchmarks.md.
import os from "node:os";
import { parseArgs } from "node:util";
import { startEmbeddedPostgres } from "../app/services/embedded-postgres.server.ts";
import { deployMigrations } from "../prisma/migrations.server.mts";
import { generateCorpus, type CorpusThread } from "../test/fixtures/forum-corpus.ts";

const { values } = parseArgs({
  options: {
    posts: { type: "string", default: "100000" },
    runs: { type: "string", default: "200" },
    lag: { type: "string", default: "20" },
  },
});
const TARGET_POSTS = Number(values.posts);
const RUNS = Number(values.runs);
const LAG_SAMPLES = Number(values.lag);

const pg = await startEmbeddedPostgres({});
process.env.DATABASE_URL = pg.url;
process.env.DATABASE_POOL_SIZE = "1";
process.env.LOG_LEVEL ??= "warn";
await deployMigrations({ pglite: pg.db });

const { db, disconnectDb } = await import("../app/services/db.server.ts");
const { PostgresSearchEngine } = await import("../search/postgres.server.ts");
const { reindex } = await import("../search/reindex.server.ts");
const { enqueueSearchSync } = await import("../search/outbox.server.ts");
const { JOBS, registerJobs } = await import("../app/server/job-registry.server.ts");
const { startWorker, stopWorker } = await import("../app/services/jobs.server.ts");
const { Progress } = await import("../search/progress.ts");

const escape = (s: string) => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p95: percentile(s, 95), max: s.at(-1)!, n: s.length };
}

// 1. Seed ------------------------------------------------------------------
async function seed(threads: CorpusThread[]) {
  const people = [...new Set(threads.flatMap((t) => [t.author, ...t.posts.map((p) => p.author)]))];
  await db.user.createMany({
    data: people.map((username) => ({ id: `u_${username}`, username, email: `${username}@bench.local`, passwordHash: "-" })),
  });
  await db.category.createMany({
    data: [
      { id: "cat_pro", slug: "pro", name: "Backline Pro" },
      { id: "cat_community", slug: "community", name: "Community Edition", supported: false },
    ],
  });
  const tags = [...new Set(threads.flatMap((t) => t.tags))];
  await db.tag.createMany({ data: tags.map((name) => ({ id: `tag_${name}`, name })) });
  const progress = new Progress({ label: "seed", total: threads.length, unit: "threads" });
  for (let i = 0; i < threads.length; i += 1000) {
    const chunk = threads.slice(i, i + 1000);
    await db.thread.createMany({
      data: chunk.map((t) => ({
        id: t.id,
        slug: t.title
          .toLowerCase()
          .replace(/[^a-z0-9]+/g, "-")
          .slice(0, 80),
        title: t.title,
        categoryId: `cat_${t.category}`,
        authorId: `u_${t.author}`,
        createdAt: t.createdAt,
        lastPostAt: t.posts.at(-1)!.createdAt,
        replyCount: t.posts.length - 1,
      })),
    });
    await db.post.createMany({
      data: chunk.flatMap((t) =>
        t.posts.map((p) => ({
          id: p.id,
          threadId: t.id,
          authorId: `u_${p.author}`,
          number: p.number,
          body: p.body,
          bodyHtml: `<p>${escape(p.body)}</p>`,
          createdAt: p.createdAt,
        })),
      ),
    });
    await db.threadTag.createMany({ data: chunk.flatMap((t) => t.tags.map((name) => ({ threadId: t.id, tagId: `tag_${name}` }))) });
    const accepted = chunk.filter((t) => t.acceptedPostId);
    if (accepted.length) {
      await db.$executeRawUnsafe(
        `update "Thread" t set "acceptedPostId" = v.post from unnest($1::text[], $2::text[]) as v(thread, post) where t.id = v.thread`,
        accepted.map((t) => t.id),
        accepted.map((t) => t.acceptedPostId),
      );
    }
    progress.update(i + chunk.length);
  }
  progress.finish();
}

const corpus = generateCorpus({ threads: Math.ceil(TARGET_POSTS / 3), seed: 2026, idPrefix: "b" });
let total = 0;
const threads = corpus.threads.filter((t) => (total += t.posts.length) <= TARGET_POSTS || total - t.posts.length < TARGET_POSTS);
const postCount = threads.reduce((n, t) => n + t.posts.length, 0);
console.log(`Seeding ${postCount.toLocaleString("en-US")} posts in ${threads.length.toLocaleString("en-US")} threads…`);
let t0 = performance.now();
await seed(threads);
const seedMs = performance.now() - t0;

// 2. Build the index ----------------------------------------------------------
const engine = new PostgresSearchEngine(db);
console.log("Building the search index…");
const progress = new Progress({ label: "index", total: postCount, unit: "posts" });
t0 = performance.now();
const built = await reindex(engine, { onProgress: (done, all) => progress.update(done, all) });
progress.finish();
const buildMs = performance.now() - t0;
const [{ size }] = await db.$queryRawUnsafe<{ size: string }[]>(
  `select pg_size_pretty(pg_total_relation_size('"SearchDocument"') + pg_total_relation_size('"SearchTerm"')) as size`,
);

// 3. Query latency ------------------------------------------------------------
type Case = { q: string; filters?: Record<string, unknown> };
const SETS: Record<string, Case[]> = {
  "one word": ["webhook", "nginx", "memory", "token", "thumbnail", "docker", "timezone", "invoice", "migration", "certificate"].map(
    (q) => ({ q }),
  ),
  "multi-word": [
    "webhook signature rejected",
    "nginx websocket timeout",
    "docker volume restart",
    "email lands in spam",
    "slow query index",
    "api token returns 401",
    "dark theme css mobile",
    "image upload thumbnail broken",
  ].map((q) => ({ q })),
  typo: ["instalation", "webhok", "paymnet", "kubernets", "thumbnial", "certifcate", "databse migraton", "memroy leak"].map((q) => ({ q })),
  filtered: [
    { q: "webhook", filters: { category: "pro" } },
    { q: "nginx", filters: { solved: true } },
    { q: "memory", filters: { tags: ["performance"] } },
    { q: "token", filters: { author: "grace" } },
    { q: "upgrade", filters: { from: new Date("2025-06-01"), solved: false } },
    { q: "email spam", filters: { category: "community", solved: true } },
  ],
};
const SIMILAR = [
  "Webhook signature is rejected after the upgrade",
  "Installation fails on Ubuntu with EACCES",
  "Docker container restarts in a loop",
  "Emails land in spam",
  "Dark theme is ignored on mobile",
  "Slow dashboard after update",
];

const latency: Record<string, ReturnType<typeof stats>> = {};
for (const [name, cases] of Object.entries(SETS)) {
  for (const c of cases) await engine.search({ q: c.q, filters: c.filters as never });
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c = cases[i % cases.length]!;
    const start = performance.now();
    await engine.search({ q: c.q, filters: c.filters as never, page: 1 + (i % 3) });
    samples.push(performance.now() - start);
  }
  latency[name] = stats(samples);
}
{
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await engine.similar({ title: SIMILAR[i % SIMILAR.length]!, limit: 10 });
    samples.push(performance.now() - start);
  }
  latency["similar threads"] = stats(samples);
}

// 4. Post-to-searchable lag -----------------------------------------------------
registerJobs(JOBS.filter((job) => job.queue === "search"));
startWorker();
async function waitFor(q: string, present: boolean, started: number) {
  for (;;) {
    const { total } = await engine.search({ q });
    if (total > 0 === present) return performance.now() - started;
    if (performance.now() - started > 30_000) throw new Error(`"${q}" did not ${present ? "appear" : "disappear"} within 30 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const createLag: number[] = [];
const hideLag: number[] = [];
for (let i = 0; i < LAG_SAMPLES; i++) {
  const word = `lagprobe${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`;
  const threadId = `lag_${i}`;
  let started = performance.now();
  await db.$transaction(async (tx) => {
    await tx.thread.create({
      data: {
        id: threadId,
        slug: word,
        title: `New question about ${word}`,
        categoryId: "cat_pro",
        authorId: "u_ada",
        posts: { create: { id: `lagp_${i}`, number: 0, authorId: "u_ada", body: `Body ${word}`, bodyHtml: `<p>Body ${word}</p>` } },
      },
    });
    await enqueueSearchSync(tx, threadId);
  });
  createLag.push(await waitFor(word, true, started));
  started = performance.now();
  await db.$transaction(async (tx) => {
    await tx.thread.update({ where: { id: threadId }, data: { hidden: true } });
    await enqueueSearchSync(tx, threadId);
  });
  hideLag.push(await waitFor(word, false, started));
}
await stopWorker();

// 5. Report ----------------------------------------------------------------------
const ms = (n: number) => `${n.toFixed(1)} ms`;
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
console.log(`
## Search (embedded PostgreSQL full-text engine on PGlite)

\`npm run bench:search -- --posts ${TARGET_POSTS} --runs ${RUNS}\` on ${os.cpus().length} cores (${cpu}), Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

- Corpus: ${postCount.toLocaleString("en-US")} posts in ${threads.length.toLocaleString("en-US")} threads (generated, 14 topics; seeded in ${seconds(seedMs)})
- Index build (reindex into a fresh generation and swap): ${seconds(buildMs)} — ${Math.round(built.documents / (buildMs / 1000)).toLocaleString("en-US")} posts/s; index size ${size}

| query kind | p50 | p95 | max | samples |
|---|---|---|---|---|
${Object.entries(latency)
  .map(([k, s]) => `| ${k} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.max)} | ${s.n} |`)
  .join("\n")}

| post to searchable (worker in process) | p50 | p95 | max | samples |
|---|---|---|---|---|
| new thread appears in results | ${ms(stats(createLag).p50)} | ${ms(stats(createLag).p95)} | ${ms(stats(createLag).max)} | ${createLag.length} |
| hidden thread leaves results | ${ms(stats(hideLag).p50)} | ${ms(stats(hideLag).p95)} | ${ms(stats(hideLag).max)} | ${hideLag.length} |
`);

await disconnectDb();
await pg.close();
process.exit(0);
