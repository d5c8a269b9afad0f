// npm run bench [-- --duration 6 --json bench/results.json --no-build --reseed --only pglite|postgres]
// Builds the app, serves the `npm run seed:large` dataset in production mode on a
// free loopback port, and drives it with autocannon at 1 and 32 connections.
// Every page's throughput is also shown as a share of a ceiling: the same thread
// page's HTML served as a constant string by a bare node:http server.
// PostgreSQL runs too when BENCH_DATABASE_URL is set. Results: docs/benchmarks.md.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import Stripe from "stripe";
import { startArguments } from "../app/server/start-command.mjs";
import { startEmbeddedPostgres } from "../app/services/embedded-postgres.server.ts";
import { BENCH } from "./dataset.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "6" },
    json: { type: "string" },
    "no-build": { type: "boolean", default: false },
    reseed: { type: "boolean", default: false },
    only: { type: "string" },
    cases: { type: "string" },
    connections: { type: "string", default: "1,32" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(`Usage: npm run bench [-- --duration SECONDS --json FILE --no-build --reseed --only pglite|postgres --cases a,b|=exact name --connections 1,32]
Seeds the large dataset when missing (npm run seed:large), builds, serves and measures.
BENCH_DATABASE_URL=postgresql://…/backline_bench also runs the cases on PostgreSQL.`);
  process.exit(0);
}
const ROOT = path.resolve(import.meta.dirname, "..");
const DURATION = Number(values.duration);
const CONNECTIONS = values.connections!.split(",").map(Number);
const WEBHOOK_SECRET = "whsec_bench_signing_secret";
const PRODUCTION_ENV = {
  BACKLINE_MODE: "production",
  PUBLIC_URL: "https://bench.backline.invalid",
  SESSION_SECRET: "bench-session-secret-0123456789-abcdefghijklmnop",
  // A live-format key: production refuses test keys (docs/decisions/038); nothing here calls Stripe.
  STRIPE_SECRET_KEY: "sk_live_bench_not_a_real_key",
  STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  // Nothing here should reach Stripe; a call would fail fast instead of leaving loopback.
  STRIPE_API_URL: "http://127.0.0.1:9",
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Machine and load ---------------------------------------------------------------------------
const machine = {
  cpus: os.cpus().length,
  cpu: os.cpus()[0]?.model ?? "unknown",
  memoryGb: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  date: new Date().toISOString(),
  loadBefore: os.loadavg()[0]!,
};

// Build --------------------------------------------------------------------------------------
let buildSeconds: number | null = null;
if (!values["no-build"]) {
  console.log("Building (npm run build: the Remix app and the bundled server)…");
  const t0 = performance.now();
  const res = spawnSync(process.execPath, [path.join(ROOT, "app/server/build-app.mjs")], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (res.status !== 0) throw new Error("npm run build failed");
  buildSeconds = (performance.now() - t0) / 1000;
}

// Dataset --------------------------------------------------------------------------------------
function seed(env: Record<string, string>) {
  console.log("Seeding the large dataset (npm run seed:large)…");
  const res = spawnSync(process.execPath, ["--import", "tsx", "bench/seed-large.mts", "--force"], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  if (res.status !== 0) throw new Error("seed:large failed");
}

async function postgresSeeded(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(`select count(*)::int as n from "Thread" where id = $1`, [BENCH.threadId]);
    return rows[0].n === 1;
  } catch {
    return false;
  } finally {
    await client.end();
  }
}

/**
 * Every run starts with fresh rate-limit windows, as an hour later would: the replies of a run
 * count against the bench accounts' hourly posting limits, and a second run would get 429s.
 */
async function resetRateLimits(target: { url: string } | { dataDir: string }) {
  if ("url" in target) {
    const client = new pg.Client({ connectionString: target.url });
    await client.connect();
    await client.query(`delete from "RateLimit"`).finally(() => client.end());
    return;
  }
  const embedded = await startEmbeddedPostgres({ dataDir: target.dataDir });
  await embedded.db.exec(`delete from "RateLimit"`).finally(() => embedded.close());
}

async function ensureDatabase(url: string) {
  const u = new URL(url);
  const name = u.pathname.slice(1);
  u.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: u.toString() });
  await admin.connect();
  const { rowCount } = await admin.query("select 1 from pg_database where datname = $1", [name]);
  if (!rowCount) await admin.query(`create database "${name.replace(/"/g, "")}"`);
  await admin.end();
}

// Servers ----------------------------------------------------------------------------------------
type Server = { url: string; child: ChildProcess; readyMs: number; output: () => string; stop: () => Promise<void> };

async function startApp(env: Record<string, string>): Promise<Server> {
  const t0 = performance.now();
  // BENCH_NODE_ARGS: flags NODE_OPTIONS refuses, such as --cpu-prof.
  const extra = process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...extra, ...startArguments(ROOT)], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      BACKLINE_BUILD: "skip",
      BACKLINE_SEED: "0",
      LOG_LEVEL: "warn",
      // The load generator is one client address; the per-address search limit would answer 429s.
      SEARCH_RATE_PER_MINUTE: "0",
      // For trying V8 flags on the app (docs/benchmarks.md, memory).
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 120s:\n${out}`)), 120_000);
    child.stdout!.on("data", () => {
      // The listen address, not PUBLIC_URL (which production requires and links are built from).
      const m = out.match(/running at \S+ \(listening on \S+:(\d+);/);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    child.on("exit", (code) => (clearTimeout(timer), reject(new Error(`server exited with ${code}:\n${out}`))));
  });
  // Ready means the first page is served, not only the port open.
  const home = await fetch(`${url}/`);
  await home.arrayBuffer();
  const readyMs = performance.now() - t0;
  return {
    url,
    child,
    readyMs,
    output: () => out,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The ceiling: one constant HTML string from a bare node:http server in its own process. */
async function startStatic(html: string): Promise<Server> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "backline-static-"));
  const file = path.join(dir, "page.html");
  writeFileSync(file, html);
  const script = `const http=require("node:http");const body=require("node:fs").readFileSync(${JSON.stringify(file)});
http.createServer((q,s)=>{s.writeHead(200,{"Content-Type":"text/html; charset=utf-8","Content-Length":body.length});s.end(body)})
.listen(0,"127.0.0.1",function(){console.log("static at http://127.0.0.1:"+this.address().port)})`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve) =>
    child.stdout!.on("data", (d) => {
      const m = String(d).match(/static at (\S+)/);
      if (m) resolve(m[1]!);
    }),
  );
  return {
    url,
    child,
    readyMs: 0,
    output: () => "",
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function memory(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))?.[1] ?? 0);
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
}

// Load -------------------------------------------------------------------------------------------
type Request = { method?: string; path: string; headers?: Record<string, string>; body?: string };
type Case = {
  name: string;
  group: "page" | "api" | "search" | "write" | "ceiling";
  requests: () => Request;
  /** Compared with the static ceiling (pages a visitor loads). */
  page?: boolean;
  /** Answered from the page cache: measured with wrk when it is installed, since autocannon is then the limit. */
  cached?: boolean;
};
type Result = {
  name: string;
  connections: number;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  statuses: Record<string, number>;
  ceilingShare?: number;
  /** The load generator that measured the row. */
  tool: "autocannon" | "wrk";
  /** The app's largest resident memory while the row was measured (sampled every 200 ms). */
  peakRssMb?: number;
};

function percentile(sorted: number[], p: number) {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

async function drive(base: string, c: Case, connections: number, duration = DURATION): Promise<Result> {
  const samples: number[] = [];
  const statuses: Record<string, number> = {};
  const first = c.requests();
  const instance = autocannon({
    url: base,
    connections,
    duration,
    pipelining: 1,
    timeout: 30,
    requests: [
      {
        method: (first.method ?? "GET") as "GET",
        path: first.path,
        setupRequest: (req) => {
          const r = c.requests();
          return { ...req, method: r.method ?? "GET", path: r.path, headers: { ...(r.headers ?? {}) }, body: r.body };
        },
      },
    ],
  });
  instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
    samples.push(ms);
    statuses[status] = (statuses[status] ?? 0) + 1;
  });
  const res = await instance;
  samples.sort((a, b) => a - b);
  const seconds = duration;
  return {
    name: c.name,
    connections,
    requests: samples.length,
    rps: samples.length / seconds,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    errors: res.errors + res.timeouts,
    non2xx: res.non2xx,
    statuses,
    tool: "autocannon",
  };
}

const HAS_WRK = spawnSync("wrk", ["--version"]).error === undefined;
if (!HAS_WRK)
  console.log("wrk is not installed (Debian: apt-get install wrk): cached cases are measured with autocannon, which is then the limit.");

/**
 * wrk (C, one event loop per thread) for cases the page cache answers: at thousands of requests a second autocannon,
 * in this process, is the bottleneck. GET only; the case's paths are taken once and cycled through.
 */
async function driveWrk(base: string, c: Case, connections: number, duration = DURATION): Promise<Result> {
  const samples = Array.from({ length: 10 }, () => c.requests());
  const headers = Object.entries(samples[0]!.headers ?? {}).flatMap(([k, v]) => ["-H", `${k}: ${v}`]);
  const threads = String(Math.min(2, connections));
  const args = [
    "-t",
    threads,
    "-c",
    String(connections),
    "-d",
    `${duration}s`,
    "--timeout",
    "30s",
    "-s",
    path.join(ROOT, "bench/wrk-report.lua"),
    ...headers,
    base + samples[0]!.path,
  ];
  // Asynchronously: a blocked event loop would keep fetch's pool from retiring sockets the server closed meanwhile.
  const child = spawn("wrk", args, {
    env: { ...process.env, WRK_PATHS: [...new Set(samples.map((r) => r.path))].join("\n") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const res = { stdout: "", stderr: "" };
  child.stdout!.on("data", (d) => (res.stdout += d));
  child.stderr!.on("data", (d) => (res.stderr += d));
  await new Promise((resolve) => child.once("close", resolve));
  const line = res.stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
  if (!line) throw new Error(`wrk gave no summary for ${c.name}: ${res.stderr || res.stdout}`);
  const w = JSON.parse(line.slice("WRK_JSON ".length));
  const ok = w.requests - w.non2xx;
  return {
    name: c.name,
    connections,
    requests: w.requests,
    rps: w.requests / (w.durationUs / 1e6),
    p50: w.p50,
    p95: w.p95,
    p99: w.p99,
    errors: w.errors,
    non2xx: w.non2xx,
    statuses: { "2xx/3xx": ok, ...(w.non2xx ? { other: w.non2xx } : {}) },
    tool: "wrk",
  };
}

const measure = async (base: string, c: Case, connections: number, duration = DURATION) =>
  c.cached && HAS_WRK ? driveWrk(base, c, connections, duration) : drive(base, c, connections, duration);

async function json(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function login(base: string, username: string) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: `${username}@bench.example`, password: BENCH.password }),
  });
  if (!res.ok) throw new Error(`sign-in as ${username}: ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return cookie;
}

// One run against one database --------------------------------------------------------------------
async function runOn(kind: "pglite" | "postgres", env: Record<string, string>) {
  console.log(`\n== ${kind} ==`);
  const app = await startApp({ ...PRODUCTION_ENV, ...env });
  const base = app.url;
  console.log(`app at ${base}, first page served ${(app.readyMs / 1000).toFixed(1)}s after spawn`);
  // The whole run's peak, and the peak of the case running now (each result says what its case reached).
  const peakSampler = { peak: 0, casePeak: 0 };
  const sampler = setInterval(() => {
    try {
      const rss = memory(app.child.pid!).rssMb;
      peakSampler.peak = Math.max(peakSampler.peak, rss);
      peakSampler.casePeak = Math.max(peakSampler.casePeak, rss);
    } catch {}
  }, 200);
  try {
    // Fixtures through the API, as a client would find them.
    const thread = await json(`${base}/api/v1/threads/${BENCH.threadId}`);
    const threadPath = new URL(thread.url ?? `/t/${thread.id}/${thread.slug}`, base).pathname;
    // The cursor that follows the last full page but two: as deep as the category goes.
    const firstPage = await json(`${base}/api/v1/threads?category=pro`);
    const deepPage = Math.max(1, Math.floor(firstPage.total / firstPage.pageSize) - 2);
    const deep = await json(`${base}/api/v1/threads?category=pro&page=${deepPage}`);
    const deepCursor: string = deep.nextCursor;
    // Replies go to 50 threads from the middle of the latest list, not its top: a run moves the threads it
    // replied to up to the top, so the next run picks others, and no thread grows run after run (the search
    // worker re-indexes a whole thread on every reply).
    const middle = [
      ...(await json(`${base}/api/v1/threads?sort=latest&page=40`)).threads,
      ...(await json(`${base}/api/v1/threads?sort=latest&page=41`)).threads,
    ];
    const replyThreads: string[] = middle
      .filter((t: { id: string; locked: boolean }) => !t.locked && t.id !== BENCH.threadId)
      .map((t: { id: string }) => t.id)
      .slice(0, 50);
    if (replyThreads.length < 20) throw new Error(`only ${replyThreads.length} threads to reply to: is the dataset seeded?`);
    const memberCookie = await login(base, BENCH.member);
    const tokens: string[] = [];
    let moderatorCookie = "";
    for (let i = 0; i < BENCH.moderators; i++) {
      const username = i === 0 ? BENCH.moderator : `${BENCH.moderator}_${i}`;
      const cookie = await login(base, username);
      if (i === 0) moderatorCookie = cookie;
      const t = await json(`${base}/api/v1/tokens`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Cookie: cookie },
        body: JSON.stringify({ name: "bench" }),
      });
      tokens.push(t.token);
    }
    const anonymousHtml = await (await fetch(`${base}${threadPath}`)).text();
    const stripe = new Stripe("sk_test_signing_only");
    let seq = 0;
    const words = ["webhook", "nginx", "memory", "token", "thumbnail", "docker", "timezone", "invoice", "migration", "certificate"];
    const typos = ["webhok", "instalation", "paymnet", "kubernets", "thumbnial", "certifcate", "databse", "memroy"];
    const filtered = [
      "q=webhook&category=pro",
      "q=nginx&tag=nginx",
      "q=memory&tag=performance",
      "q=token&author=grace",
      "q=upgrade&from=2025-06-01",
    ];
    const run = `${Date.now().toString(36)}`;
    // The n-th of many different searches built on a few queries: each query with its own page and page size.
    // Each case counts its own searches: on one shared counter, a case's URLs began to repeat ones the server had
    // already answered, and the page cache answered them (the fourth run of 2026-12-05, docs/benchmarks.md).
    const distinct = (queries: string[]) => {
      let n = 0;
      return () => {
        const round = Math.floor(n / queries.length);
        const query = queries[n++ % queries.length];
        return { path: `/api/v1/search?${query}&page=${1 + (round % 49)}&perPage=${20 - (Math.floor(round / 49) % 10)}` };
      };
    };
    const cases: Case[] = [
      { name: "home", group: "page", page: true, cached: true, requests: () => ({ path: "/" }) },
      { name: "category, first page", group: "page", page: true, cached: true, requests: () => ({ path: "/c/pro" }) },
      {
        name: `category, deep page (keyset cursor, page ${deepPage + 1})`,
        group: "page",
        page: true,
        cached: true,
        requests: () => ({ path: `/c/pro?cursor=${encodeURIComponent(deepCursor)}` }),
      },
      { name: "thread page (50 posts), anonymous", group: "page", page: true, cached: true, requests: () => ({ path: threadPath }) },
      {
        name: "thread page (50 posts), signed in",
        group: "page",
        page: true,
        requests: () => ({ path: threadPath, headers: { cookie: memberCookie } }),
      },
      // The same as a browser asks for it: gzip, which the server makes from the cache entry's deflated pieces.
      {
        name: "thread page (50 posts), signed in, gzip",
        group: "page",
        page: true,
        requests: () => ({ path: threadPath, headers: { cookie: memberCookie, "accept-encoding": "gzip, deflate, br" } }),
      },
      // The member's page rendered whole, as before ADR 042 and as a browser without JavaScript gets it.
      {
        name: "thread page (50 posts), signed in, rendered whole",
        group: "page",
        page: true,
        requests: () => ({ path: `${threadPath}?view=full`, headers: { cookie: memberCookie } }),
      },
      // Moderators see removed posts and their controls: their page is always rendered whole.
      {
        name: "thread page (50 posts), signed-in moderator",
        group: "page",
        page: true,
        requests: () => ({ path: threadPath, headers: { cookie: moderatorCookie } }),
      },
      { name: "thread JSON API", group: "api", cached: true, requests: () => ({ path: `/api/v1/threads/${BENCH.threadId}` }) },
      // Every search below is a query the server has not answered before, so the engine does the work.
      {
        name: "search: one word",
        group: "search",
        requests: distinct(words.map((w) => `q=${w}`)),
      },
      {
        name: "search: typo",
        group: "search",
        requests: distinct(typos.map((w) => `q=${w}`)),
      },
      { name: "search: filtered", group: "search", requests: distinct(filtered) },
      // A member's search page is rendered whole for them (the page cache never holds a viewer's render): the
      // engine's page turns plus the React render of the results, as a browser asks for it.
      {
        name: "search page, signed in",
        group: "search",
        requests: (() => {
          let n = 0;
          return () => {
            const round = Math.floor(n / words.length);
            const path = `/search?q=${words[n++ % words.length]}&page=${1 + (round % 49)}`;
            return { path, headers: { cookie: memberCookie, "accept-encoding": "gzip, deflate, br" } };
          };
        })(),
      },
      // The cases above turn pages of ten queries: after the first page, the PostgreSQL engine reads only
      // the hits (ADR 044). Here every request is a query never asked before (its own date filter).
      {
        name: "search: one word, new query every time",
        group: "search",
        requests: () => {
          const n = seq++;
          // Before the first thread (400 days ago): the work of an unfiltered search, under a new cache key.
          const from = new Date(Date.now() - (1100 - (n % 700)) * 86_400_000).toISOString().slice(0, 10);
          return { path: `/api/v1/search?q=${words[n % words.length]}&from=${from}&perPage=${20 - (Math.floor(n / 700) % 10)}` };
        },
      },
      // Popular queries asked again: served from the anonymous page cache until the index changes (ADR 020).
      {
        name: "search: one word, repeated (cached)",
        group: "search",
        cached: true,
        requests: () => ({ path: `/api/v1/search?q=${words[seq++ % words.length]}` }),
      },
      {
        name: "create reply (API, bearer token)",
        group: "write",
        requests: () => {
          const n = seq++;
          return {
            method: "POST",
            path: `/api/v1/threads/${replyThreads[n % replyThreads.length]}/posts`,
            headers: { authorization: `Bearer ${tokens[n % tokens.length]}`, "content-type": "application/json" },
            body: JSON.stringify({
              body: `Benchmark reply ${run}-${n}: restarting the worker after the upgrade fixed the webhook retries for us.`,
            }),
          };
        },
      },
      {
        name: "Stripe webhook (signed event)",
        group: "write",
        requests: () => {
          const payload = JSON.stringify({
            id: `evt_bench_${run}_${seq++}`,
            object: "event",
            type: "customer.updated",
            api_version: "2024-06-20",
            created: Math.floor(Date.now() / 1000),
            livemode: false,
            data: { object: { id: "cus_bench", object: "customer" } },
          });
          return {
            method: "POST",
            path: "/webhooks/stripe",
            headers: {
              "content-type": "application/json",
              "stripe-signature": stripe.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }),
            },
            body: payload,
          };
        },
      },
    ];
    // "=name" selects one case exactly (some names are parts of others, and some hold commas).
    const only = values.cases?.startsWith("=") ? [values.cases] : values.cases?.split(",");
    const selected = cases.filter((c) => !only || only.some((o) => (o.startsWith("=") ? c.name === o.slice(1) : c.name.includes(o))));
    const results: Result[] = [];
    for (const c of selected) {
      // Warm-up: JIT, caches, prepared statements.
      await measure(base, c, 4, 1);
      for (const connections of CONNECTIONS) {
        peakSampler.casePeak = 0;
        const r = await measure(base, c, connections);
        r.peakRssMb = Math.round(peakSampler.casePeak);
        results.push(r);
        console.log(
          `${c.name.padEnd(48)} ${String(connections).padStart(3)} conn  ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  ${r.peakRssMb} MB  ${JSON.stringify(r.statuses)}`,
        );
      }
    }

    // Post to searchable: a reply with a fresh word, then search until it is found.
    const lag: number[] = [];
    const searchable = (await fetch(`${base}/api/v1/search?q=webhook`)).status === 200;
    if (!searchable) console.log("No /api/v1/search in this build: post-to-searchable not measured.");
    for (let i = 0; searchable && i < 10; i++) {
      const word = `lagprobe${run}${String.fromCharCode(97 + i)}`;
      const t0 = performance.now();
      await json(`${base}/api/v1/threads/${replyThreads[i % replyThreads.length]}/posts`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokens[i % tokens.length]}`, "content-type": "application/json" },
        body: JSON.stringify({ body: `Probe ${word} for the search lag measurement.` }),
      });
      for (;;) {
        const found = await json(`${base}/api/v1/search?q=${word}`);
        if (found.total > 0) break;
        if (performance.now() - t0 > 30_000) throw new Error(`${word} never became searchable`);
        await sleep(10);
      }
      lag.push(performance.now() - t0);
    }
    lag.sort((a, b) => a - b);
    const mem = memory(app.child.pid!);
    return {
      kind,
      readyMs: app.readyMs,
      results,
      anonymousHtml,
      searchLag: { p50: percentile(lag, 50), p95: percentile(lag, 95), max: lag.at(-1)!, samples: lag.length },
      memory: { rssAfterMb: mem.rssMb, peakMb: Math.max(mem.peakMb, peakSampler.peak) },
    };
  } finally {
    clearInterval(sampler);
    await app.stop();
  }
}

// Main -----------------------------------------------------------------------------------------------
const pgliteDir = path.resolve(ROOT, process.env.BENCH_DATA_DIR ?? BENCH.dataDir);
const runs: Awaited<ReturnType<typeof runOn>>[] = [];
if (values.only !== "postgres") {
  if (values.reseed || !existsSync(path.join(pgliteDir, "pglite"))) seed({ DATA_DIR: pgliteDir, DATABASE_URL: "" });
  await resetRateLimits({ dataDir: pgliteDir });
  runs.push(await runOn("pglite", { DATA_DIR: pgliteDir }));
}
const pgUrl = process.env.BENCH_DATABASE_URL?.trim();
if (pgUrl && values.only !== "pglite") {
  await ensureDatabase(pgUrl);
  if (values.reseed || !(await postgresSeeded(pgUrl))) seed({ DATABASE_URL: pgUrl });
  await resetRateLimits({ url: pgUrl });
  runs.push(await runOn("postgres", { DATABASE_URL: pgUrl, DATA_DIR: pgliteDir }));
}

// The ceiling, measured with the exact HTML an anonymous visitor gets.
const ceiling: Result[] = [];
if (runs.length) {
  const stat = await startStatic(runs[0]!.anonymousHtml);
  try {
    const c: Case = { name: "static thread HTML (node:http ceiling)", group: "ceiling", cached: true, requests: () => ({ path: "/" }) };
    await measure(stat.url, c, 4, 1);
    for (const connections of CONNECTIONS) ceiling.push(await measure(stat.url, c, connections));
  } finally {
    await stat.stop();
  }
}
for (const run of runs) {
  for (const r of run.results) {
    const top = ceiling.find((c) => c.connections === r.connections);
    if (top && top.tool === r.tool && r.name.match(/^(home|category|thread page)/)) r.ceilingShare = r.rps / top.rps;
  }
}

// "npm start" to the first served page on a fresh data folder (migrations, demo seed).
const fresh = mkdtempSync(path.join(os.tmpdir(), "backline-fresh-"));
let freshStartMs: number | null = null;
try {
  const app = await startApp({ DATA_DIR: fresh, BACKLINE_SEED: "1" });
  freshStartMs = app.readyMs;
  await app.stop();
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
machine.loadBefore = Math.round(machine.loadBefore * 100) / 100;
const loadAfter = Math.round(os.loadavg()[0]! * 100) / 100;

// Report ------------------------------------------------------------------------------------------------
const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
const lines: string[] = [];
lines.push(
  `Machine: ${machine.cpus} cores (${machine.cpu}), ${machine.memoryGb} GB, Node ${machine.node}; load average ${machine.loadBefore} before, ${loadAfter} after.`,
);
if (buildSeconds !== null) lines.push(`remix build: ${buildSeconds.toFixed(1)} s.`);
lines.push(`Each case: ${DURATION} s per concurrency after a 1 s warm-up; latencies from every response.`);
lines.push("");
lines.push("| database | case | tool | conn | req/s | p50 ms | p95 ms | p99 ms | share of ceiling | peak RSS MB | statuses |");
lines.push("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
for (const c of ceiling)
  lines.push(
    `| – | ${c.name} | ${c.tool} | ${c.connections} | ${c.rps.toFixed(0)} | ${ms(c.p50)} | ${ms(c.p95)} | ${ms(c.p99)} | 100% |  | ${JSON.stringify(c.statuses)} |`,
  );
for (const run of runs) {
  for (const r of run.results) {
    lines.push(
      `| ${run.kind} | ${r.name} | ${r.tool} | ${r.connections} | ${r.rps.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${r.ceilingShare === undefined ? "" : `${(r.ceilingShare * 100).toFixed(1)}%`} | ${r.peakRssMb ?? ""} | ${JSON.stringify(r.statuses)} |`,
    );
  }
}
lines.push("");
lines.push("| database | post to searchable p50 / p95 / max | peak RSS (VmHWM) | RSS after | start on the dataset to first page |");
lines.push("|---|---|---:|---:|---:|");
for (const run of runs) {
  lines.push(
    `| ${run.kind} | ${ms(run.searchLag.p50)} / ${ms(run.searchLag.p95)} / ${ms(run.searchLag.max)} ms | ${run.memory.peakMb.toFixed(0)} MB | ${run.memory.rssAfterMb.toFixed(0)} MB | ${(run.readyMs / 1000).toFixed(1)} s |`,
  );
}
if (freshStartMs !== null)
  lines.push(`\nFirst start on an empty data folder (migrate, demo seed) to first served page: ${(freshStartMs / 1000).toFixed(1)} s.`);
console.log(`\n${lines.join("\n")}`);

if (values.json) {
  const out = {
    command: `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim(),
    machine: { ...machine, loadAfter },
    buildSeconds,
    durationSeconds: DURATION,
    ceiling,
    runs: runs.map(({ anonymousHtml: _html, ...r }) => r),
    freshStartMs,
  };
  writeFileSync(path.resolve(values.json), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nJSON written to ${values.json}`);
}
process.exit(0);
