import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Client } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";

// `npm run test:load` (not part of `npm test`): 200 concurrent clients use the
// built forum for 60 s (LOAD_SECONDS, LOAD_CLIENTS to change) — anonymous and
// signed-in readers on the home, category and thread pages and the thread API,
// searchers, and five members replying within their posting limits. Every
// answer must be a success (zero 5xx), the server must log no error, and every
// acknowledged reply must be stored. The figures go to test/artifacts/load.json.

const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 200);
// The seeded accounts; a member at trust level 2 may post 120 times an hour, staff 600 (app/models/community/trust.ts).
const REPLIERS = [
  { email: "member@backline.local", budget: 110 },
  { email: "member2@backline.local", budget: 110 },
  { email: "moderator@backline.local", budget: 580 },
  { email: "maintainer@backline.local", budget: 580 },
  { email: "admin@backline.local", budget: 580 },
];
const SEARCH_WORDS = ["webhook", "upgrade", "install", "postgres", "error", "signature", "config", "docker", "memory", "login"];

type Kind = "home" | "category" | "thread page" | "thread API" | "search" | "search page" | "reply";

let server: TestServer;
let members: { client: Client; budget: number; sent: number }[];
let threads: { id: string; url: string }[];
let categories: string[];

beforeAll(async () => {
  // The 200 simulated clients share one address; the per-address search limit (tested in
  // test/hostile/input-text) would answer most of their searches with 429.
  server = await startServer({ seed: true, env: { SEARCH_RATE_PER_MINUTE: "0" } });
  members = [];
  for (const r of REPLIERS) {
    const client = new Client(server.url);
    expect((await client.post("/api/v1/session", { email: r.email, password: DEMO_PASSWORD })).status).toBe(200);
    members.push({ client, budget: r.budget, sent: 0 });
  }
  categories = ((await (await fetch(`${server.url}/api/v1/categories`)).json()) as { slug: string }[]).map((c) => c.slug);
  threads = [];
  for (const slug of categories) {
    const list = await (await fetch(`${server.url}/api/v1/threads?category=${slug}`)).json();
    threads.push(...(list.threads as { id: string; url: string }[]).map((t) => ({ id: t.id, url: t.url })));
  }
  expect(threads.length).toBeGreaterThan(0);
});
afterAll(async () => {
  await server?.stop();
});

const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!;

it(
  `${CLIENTS} concurrent clients for ${SECONDS}s: zero 5xx, no error logged, every reply stored`,
  { timeout: (SECONDS + 240) * 1000 },
  async () => {
    const statuses = new Map<number | string, number>();
    const byKind = new Map<Kind, number>();
    const failures: { kind: Kind; status: number | string; body: string }[] = [];
    const latencies: number[] = [];
    const replies: string[] = [];
    const started = Date.now();
    const deadline = started + SECONDS * 1000;

    async function one(worker: number) {
      // A quarter of the readers are signed in: their pages are rendered for them, never served from the page cache.
      const reader = worker % 4 === 0 ? members[worker % members.length]!.client : null;
      const get = (p: string) => (reader ? reader.get(p) : fetch(server.url + p, { redirect: "manual" }));
      const roll = Math.random();
      let kind: Kind;
      let request: () => Promise<Response>;
      const replier =
        roll < 0.1 ? (members.find((m) => m.sent < m.budget && Math.random() < 0.5) ?? members.find((m) => m.sent < m.budget)) : undefined;
      if (replier) {
        replier.sent++;
        const body = `Load reply ${worker}-${replier.sent}-${Date.now()}: this works for me as well.`;
        const thread = pick(threads);
        kind = "reply";
        request = async () => {
          const res = await replier.client.post(`/api/v1/threads/${thread.id}/posts`, { body });
          if (res.status === 201) replies.push(body);
          return res;
        };
      } else if (roll < 0.3) {
        kind = "home";
        request = () => get("/");
      } else if (roll < 0.42) {
        kind = "category";
        request = () => get(`/c/${pick(categories)}`);
      } else if (roll < 0.62) {
        kind = "thread page";
        request = () => get(pick(threads).url);
      } else if (roll < 0.8) {
        kind = "thread API";
        request = () => get(`/api/v1/threads/${pick(threads).id}`);
      } else if (roll < 0.93) {
        kind = "search";
        request = () => get(`/api/v1/search?q=${pick(SEARCH_WORDS)}`);
      } else {
        kind = "search page";
        request = () => get(`/search?q=${pick(SEARCH_WORDS)}`);
      }
      const t0 = performance.now();
      let status: number | string;
      let body = "";
      try {
        const res = await request();
        status = res.status;
        body = await res.text();
      } catch (error) {
        status = `network: ${(error as Error).message}`;
      }
      latencies.push(performance.now() - t0);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      if (typeof status !== "number" || status >= 300) failures.push({ kind, status, body: body.slice(0, 300) });
    }

    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, worker) => {
        while (Date.now() < deadline) await one(worker);
      }),
    );
    const elapsed = (Date.now() - started) / 1000;

    // Every acknowledged reply is stored, once.
    const db = new pg.Client({ connectionString: server.databaseUrl() });
    await db.connect();
    const { rows } = await db.query<{ body: string; n: number }>(
      `select body, count(*)::int as n from "Post" where body like 'Load reply %' group by body`,
    );
    await db.end();
    const stored = new Map(rows.map((r) => [r.body, r.n]));

    const sorted = [...latencies].sort((a, b) => a - b);
    const percentile = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
    const output = server.output();
    const requests = latencies.length;
    const figures = {
      clients: CLIENTS,
      seconds: Math.round(elapsed * 10) / 10,
      requests,
      requestsPerSecond: Math.round(requests / elapsed),
      repliesCreated: replies.length,
      byKind: Object.fromEntries(byKind),
      statuses: Object.fromEntries(statuses),
      serverErrors: failures.filter((f) => typeof f.status !== "number" || f.status >= 500).length,
      latencyMs: { p50: percentile(50), p95: percentile(95), p99: percentile(99), max: Math.round(sorted.at(-1) ?? 0) },
      serverLogErrors: output.split("\n").filter((l) => / ERROR /.test(l)).length,
      serverLogWarnings: output.split("\n").filter((l) => / WARN /.test(l)).length,
      database: process.env.TEST_DB_KIND === "postgres" ? "PostgreSQL" : "embedded PGlite",
      measuredAt: new Date().toISOString(),
    };
    const dir = path.resolve(__dirname, "../artifacts");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "load.json"), `${JSON.stringify(figures, null, 2)}\n`);
    writeFileSync(path.join(dir, "load-server.log"), output);
    console.log(`load: ${JSON.stringify(figures, null, 2)}`);

    expect(failures.slice(0, 10)).toEqual([]);
    expect(figures.serverErrors).toBe(0);
    expect(output).not.toMatch(/ ERROR |Unhandled|uncaught/i);
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.filter((b) => stored.get(b) !== 1)).toEqual([]);
    expect(stored.size).toBe(replies.length);
  },
);
