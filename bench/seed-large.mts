// npm run seed:large [-- --posts 100000 --threads 10000 --members 5000 --tickets 300 --force]
// A realistic forum at scale for `npm run bench`: members, categories, tags,
// threads with long tails, votes, accepted answers, hidden content and paid
// tickets in every state, written with bulk inserts (unnest arrays, thousands
// of rows per statement) and no per-row outbox jobs; the search index is built
// once at the end through the reindex path. Targets DATABASE_URL, or the
// embedded PGlite in DATA_DIR (default .data-bench, recreated from scratch).
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { hash } from "@node-rs/argon2";
import { runningEmbeddedUrl } from "../app/services/embedded-postgres.server.ts";
import { openDatabase } from "../prisma/database-url.ts";
import { deployMigrations } from "../prisma/migrations.server.mts";
import { Progress } from "../search/progress.ts";
import { generateCorpus, random } from "../test/fixtures/forum-corpus.ts";
import { BENCH } from "./dataset.ts";

const { values } = parseArgs({
  options: {
    posts: { type: "string", default: "100000" },
    threads: { type: "string", default: "10000" },
    members: { type: "string", default: "5000" },
    tickets: { type: "string", default: "300" },
    force: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(
    "Usage: npm run seed:large [-- --posts N --threads N --members N --tickets N --force]\n" +
      "Seeds DATABASE_URL, or the embedded database in DATA_DIR (default .data-bench, recreated).",
  );
  process.exit(0);
}
const POSTS = Number(values.posts);
const THREADS = Number(values.threads);
const MEMBERS = Number(values.members);
const TICKETS = Number(values.tickets);
if (![POSTS, THREADS, MEMBERS, TICKETS].every((n) => Number.isInteger(n) && n >= 0) || POSTS < THREADS || THREADS < 100) {
  console.error("--posts, --threads, --members and --tickets are whole numbers; posts >= threads >= 100.");
  process.exit(1);
}

const started = performance.now();
process.env.LOG_LEVEL ??= "warn";
if (!process.env.DATABASE_URL?.trim()) {
  process.env.DATA_DIR ??= BENCH.dataDir;
  const dir = path.resolve(process.env.DATA_DIR);
  if (runningEmbeddedUrl(dir)) {
    console.error(`A forum is running on ${dir}; stop it first.`);
    process.exit(1);
  }
  // A fresh folder each time: seeding is fast and the numbers must come from a known dataset.
  if (existsSync(path.join(dir, "pglite"))) rmSync(path.join(dir, "pglite"), { recursive: true, force: true });
}
const database = await openDatabase();
await deployMigrations(database.target);
const client = new pg.Client({ connectionString: database.url });
await client.connect();

const {
  rows: [{ n: existing }],
} = await client.query<{ n: number }>(`select count(*)::int as n from "User"`);
if (existing > 0) {
  if (!values.force) {
    console.error(`The database already holds ${existing} users. Rerun with --force to empty it first (everything is deleted).`);
    process.exit(1);
  }
  const { rows } = await client.query<{ t: string }>(
    `select quote_ident(tablename) as t from pg_tables where schemaname = current_schema() and tablename <> '_prisma_migrations'`,
  );
  await client.query(`truncate ${rows.map((r) => r.t).join(", ")} cascade`);
}
// Bulk load: no per-row triggers (foreign keys are checked by construction here, and
// the page-cache version is bumped once at the end).
await client.query("set session_replication_role = replica");

const r = random(20261126);
const DAY = 86_400_000;
const now = Date.now();
const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** insert … select * from unnest($1::type[], …): one statement per chunk, any number of rows. */
async function bulk(table: string, columns: [name: string, type: string][], rows: unknown[][], progress?: Progress, offset = 0) {
  const CHUNK = 5000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const arrays = columns.map((_, c) => chunk.map((row) => row[c]));
    const cols = columns.map(([n]) => `"${n}"`).join(", ");
    const params = columns.map(([, t], c) => `$${c + 1}::${t}[]`).join(", ");
    await client.query(`insert into "${table}" (${cols}) select * from unnest(${params})`, arrays);
    progress?.update(offset + i + chunk.length);
  }
}

// Members ----------------------------------------------------------------------
const FIRST = [
  "ada",
  "grace",
  "linus",
  "margaret",
  "ken",
  "barbara",
  "dennis",
  "radia",
  "alan",
  "hedy",
  "tim",
  "anita",
  "sofia",
  "mateo",
  "yuki",
  "amara",
  "noah",
  "leila",
  "ivan",
  "chen",
  "priya",
  "omar",
  "elena",
  "kwame",
  "ines",
  "lars",
];
const passwordHash = await hash(BENCH.password, { memoryCost: 19456, timeCost: 2, parallelism: 1 });
type Member = { id: string; username: string; role: string; createdAt: Date };
const members: Member[] = [];
// The corpus writes as these twelve: they exist so author filters find them.
for (const name of FIRST.slice(0, 12))
  members.push({ id: `u_${name}`, username: name, role: "member", createdAt: new Date(now - 900 * DAY) });
while (members.length < MEMBERS) {
  const username = `${r.pick(FIRST)}_${members.length.toString(36)}`;
  members.push({ id: `u_${username}`, username, role: "member", createdAt: new Date(now - (30 + r.int(800)) * DAY) });
}
const staff: Member[] = [
  { id: "u_bench_mod", username: BENCH.moderator, role: "moderator", createdAt: new Date(now - 700 * DAY) },
  { id: "u_bench_member", username: BENCH.member, role: "member", createdAt: new Date(now - 700 * DAY) },
  { id: "u_bench_maintainer", username: "bench_maintainer", role: "maintainer", createdAt: new Date(now - 700 * DAY) },
  { id: "u_bench_admin", username: "bench_admin", role: "admin", createdAt: new Date(now - 700 * DAY) },
];
// Replies in the benchmark are spread over these accounts: staff may post 600 times an hour each.
for (let i = 1; i < BENCH.moderators; i++) {
  staff.push({ id: `u_bench_mod_${i}`, username: `${BENCH.moderator}_${i}`, role: "moderator", createdAt: new Date(now - 700 * DAY) });
}
const everyone = [...members, ...staff];
console.log(
  `Seeding ${POSTS.toLocaleString("en-US")} posts, ${THREADS.toLocaleString("en-US")} threads, ` +
    `${everyone.length.toLocaleString("en-US")} members, ${TICKETS} tickets into ${process.env.DATABASE_URL?.trim() ? "DATABASE_URL" : `embedded PGlite in ${process.env.DATA_DIR}`}…`,
);
await bulk(
  "User",
  [
    ["id", "text"],
    ["username", "text"],
    ["email", "text"],
    ["passwordHash", "text"],
    ["role", '"Role"'],
    ["unsubscribeKey", "text"],
    ["createdAt", "timestamp"],
    ["updatedAt", "timestamp"],
  ],
  everyone.map((m) => [m.id, m.username, `${m.username}@bench.example`, passwordHash, m.role, `unsub_${m.id}`, m.createdAt, m.createdAt]),
);
// Active members write most posts, as on any forum.
const author = () => members[Math.floor(r.next() ** 2.2 * members.length)]!;

// Categories and tags -------------------------------------------------------------
const CATEGORIES = [
  { id: "cat_pro", slug: "pro", name: "Backline Pro", supported: true },
  { id: "cat_community", slug: "community", name: "Community Edition", supported: false },
  { id: "cat_install", slug: "installation", name: "Installation", supported: true },
  { id: "cat_integrations", slug: "integrations", name: "Integrations", supported: true },
  { id: "cat_plugins", slug: "plugins", name: "Plugins and themes", supported: false },
  { id: "cat_meta", slug: "meta", name: "Meta", supported: false },
];
await bulk(
  "Category",
  [
    ["id", "text"],
    ["slug", "text"],
    ["name", "text"],
    ["description", "text"],
    ["supported", "boolean"],
    ["position", "int"],
    ["updatedAt", "timestamp"],
  ],
  CATEGORIES.map((c, i) => [c.id, c.slug, c.name, `Questions and answers about ${c.name}.`, c.supported, i, new Date()]),
);
await client.query(
  `insert into "Tier" (id, slug, name, "responseHours", "priceCents", currency, position, "updatedAt") values
   ('tier_standard', 'standard', 'Standard', 48, 9900, 'usd', 0, now()), ('tier_priority', 'priority', 'Priority', 8, 29900, 'usd', 1, now())`,
);

// Threads and posts ------------------------------------------------------------------
const corpus = generateCorpus({ threads: THREADS, seed: 2026, idPrefix: "L", start: new Date(now - 400 * DAY) });
const threads = corpus.threads;
const bodiesByTopic = new Map<string, string[]>();
for (const t of threads)
  for (const p of t.posts) if (p.number > 0) (bodiesByTopic.get(t.topic) ?? bodiesByTopic.set(t.topic, []).get(t.topic)!).push(p.body);

// Long tail: most threads get a handful of posts, a few run to hundreds.
const lengths = threads.map((t) =>
  Math.max(t.posts.length, Math.min(400, 1 + Math.floor(-Math.log(1 - r.next()) * (POSTS / THREADS - 1)))),
);
const benchIndex = 100;
lengths[benchIndex] = BENCH.threadPosts;
let sum = lengths.reduce((a, b) => a + b, 0);
while (sum !== POSTS) {
  const i = r.int(threads.length);
  if (i === benchIndex) continue;
  if (sum < POSTS && lengths[i]! < 400) {
    lengths[i]!++;
    sum++;
  } else if (sum > POSTS && lengths[i]! > threads[i]!.posts.length) {
    lengths[i]!--;
    sum--;
  }
}

const CODE = [
  "npm config set prefix ~/.local",
  "proxy_set_header Upgrade $http_upgrade;",
  "SELECT * FROM pg_stat_activity;",
  "docker compose logs -f app",
];
function html(body: string) {
  return body
    .split("\n\n")
    .map((para) => (para.startsWith("    ") ? `<pre><code>${escapeHtml(para.slice(4))}\n</code></pre>` : `<p>${escapeHtml(para)}</p>`))
    .join("\n");
}
type PostRow = [
  id: string,
  threadId: string,
  authorId: string,
  number: number,
  body: string,
  bodyHtml: string,
  score: number,
  hidden: boolean,
  createdAt: Date,
  updatedAt: Date,
];
const threadRows: unknown[][] = [];
const postRows: PostRow[] = [];
const tagNames = new Set<string>();
const threadTags: [string, string][] = [];
const accepted: [threadId: string, postId: string][] = [];
for (let i = 0; i < threads.length; i++) {
  const t = threads[i]!;
  const id = i === benchIndex ? BENCH.threadId : t.id;
  const category =
    t.category === "pro"
      ? r.next() < 0.5
        ? "cat_pro"
        : r.pick(["cat_install", "cat_integrations"])
      : r.next() < 0.7
        ? "cat_community"
        : r.pick(["cat_plugins", "cat_meta"]);
  const pool = bodiesByTopic.get(t.topic) ?? [t.posts[0]!.body];
  const starter = t.author === "ada" || FIRST.includes(t.author) ? `u_${t.author}` : author().id;
  let at = t.createdAt.getTime();
  for (let n = 0; n < lengths[i]!; n++) {
    const original = t.posts[n];
    let body = original?.body ?? `${r.pick(pool)} ${r.next() < 0.4 ? r.pick(pool) : ""}`.trim();
    if (r.next() < 0.08) body += `\n\n    ${r.pick(CODE)}`;
    if (n > 0) at += Math.floor(600_000 + r.next() ** 3 * 3 * DAY);
    if (at > now - 60_000) at = now - 60_000 - (lengths[i]! - n) * 1000;
    const when = new Date(at);
    const postAuthor = n === 0 ? starter : original ? `u_${original.author}` : author().id;
    const postId = original?.id ?? `${t.id}x${n.toString(36)}`;
    postRows.push([postId, id, postAuthor, n, body, html(body), 0, n > 0 && r.next() < 0.005, when, when]);
  }
  const first = t.createdAt;
  const last = postRows[postRows.length - 1]![8];
  if (t.acceptedPostId) accepted.push([id, t.acceptedPostId]);
  const hidden = i !== benchIndex && r.next() < 0.003;
  threadRows.push([
    id,
    t.title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 80) || "thread",
    t.title,
    category,
    starter,
    hidden,
    i !== benchIndex && !hidden && r.next() < 0.01,
    lengths[i]! - 1,
    last,
    first,
    last,
  ]);
  for (const tag of t.tags) {
    tagNames.add(tag);
    threadTags.push([id, `tag_${tag}`]);
  }
  if (r.next() < 0.25) {
    const extra = r.pick(["docker", "kubernetes", "windows", "macos", "api", "mobile", "i18n", "backup", "sso", "theme", "cli", "logs"]);
    if (!t.tags.includes(extra)) {
      tagNames.add(extra);
      threadTags.push([id, `tag_${extra}`]);
    }
  }
}

const tp = new Progress({ label: "threads", total: threadRows.length, unit: "threads" });
await bulk(
  "Thread",
  [
    ["id", "text"],
    ["slug", "text"],
    ["title", "text"],
    ["categoryId", "text"],
    ["authorId", "text"],
    ["hidden", "boolean"],
    ["locked", "boolean"],
    ["replyCount", "int"],
    ["lastPostAt", "timestamp"],
    ["createdAt", "timestamp"],
    ["updatedAt", "timestamp"],
  ],
  threadRows,
  tp,
);
tp.finish();
await bulk(
  "Tag",
  [
    ["id", "text"],
    ["name", "text"],
  ],
  [...tagNames].map((n) => [`tag_${n}`, n]),
);
await bulk(
  "ThreadTag",
  [
    ["threadId", "text"],
    ["tagId", "text"],
  ],
  threadTags,
);
const pp = new Progress({ label: "posts", total: postRows.length, unit: "posts" });
await bulk(
  "Post",
  [
    ["id", "text"],
    ["threadId", "text"],
    ["authorId", "text"],
    ["number", "int"],
    ["body", "text"],
    ["bodyHtml", "text"],
    ["score", "int"],
    ["hidden", "boolean"],
    ["createdAt", "timestamp"],
    ["updatedAt", "timestamp"],
  ],
  postRows,
  pp,
);
pp.finish();
await client.query(
  `update "Thread" t set "acceptedPostId" = v.post from unnest($1::text[], $2::text[]) as v(thread, post) where t.id = v.thread`,
  [accepted.map((a) => a[0]), accepted.map((a) => a[1])],
);

// Votes: a quarter of the posts are voted on, answers and questions more than chatter.
const votes: [string, string, Date][] = [];
const voteKeys = new Set<string>();
for (const p of postRows) {
  if (r.next() > 0.25) continue;
  const n = 1 + Math.floor(r.next() ** 3 * 12);
  for (let k = 0; k < n; k++) {
    const voter = members[r.int(members.length)]!.id;
    const key = `${p[0]}|${voter}`;
    if (voter === p[2] || voteKeys.has(key)) continue;
    voteKeys.add(key);
    votes.push([p[0], voter, p[8]]);
  }
}
const vp = new Progress({ label: "votes", total: votes.length, unit: "votes" });
await bulk(
  "Vote",
  [
    ["postId", "text"],
    ["userId", "text"],
    ["createdAt", "timestamp"],
  ],
  votes,
  vp,
);
vp.finish();

// Paid tickets in every state ---------------------------------------------------------------
const STATES = ["awaiting_acceptance", "open", "waiting_on_customer", "resolved", "resolved", "resolved", "rejected", "expired"] as const;
const supported = new Set(["cat_pro", "cat_install", "cat_integrations"]);
const candidates = threadRows.filter((t) => supported.has(t[3] as string) && !t[5] && t[0] !== BENCH.threadId);
const postsByThread = new Map<string, PostRow[]>();
for (const p of postRows) (postsByThread.get(p[1]) ?? postsByThread.set(p[1], []).get(p[1])!).push(p);
const escalations: unknown[][] = [];
const tickets: unknown[][] = [];
const payments: unknown[][] = [];
const messages: unknown[][] = [];
const byId = new Map(everyone.map((m) => [m.id, m]));
for (let i = 0; i < Math.min(TICKETS, candidates.length); i++) {
  const t = candidates[Math.floor((i * candidates.length) / TICKETS)]!;
  const threadId = t[0] as string;
  const owner = byId.get(t[4] as string)!;
  const tier =
    r.next() < 0.7
      ? { id: "tier_standard", slug: "standard", name: "Standard", hours: 48, cents: 9900 }
      : { id: "tier_priority", slug: "priority", name: "Priority", hours: 8, cents: 29900 };
  const state = STATES[i % STATES.length]!;
  const paidAt = new Date(now - (state === "awaiting_acceptance" || state === "open" ? r.int(6) * 3_600_000 : (2 + r.int(90)) * DAY));
  const posts = postsByThread.get(threadId)!.slice(0, 10);
  const gate = {
    productVersion: `4.${r.int(3)}.${r.int(10)}`,
    environment: r.pick(["Ubuntu 24.04, Node 20", "Docker on Debian 12", "Windows Server 2022"]),
    stepsToReproduce: "1. Upgrade to the new release.\n2. Open the dashboard.\n3. The error appears.",
    alreadyTried: "Cleared the cache and restarted the service.",
  };
  const snapshot = {
    version: 1,
    takenAt: paidAt.toISOString(),
    thread: {
      id: threadId,
      title: t[2],
      url: `/t/${threadId}/${t[1]}`,
      category: { slug: CATEGORIES.find((c) => c.id === t[3])!.slug, name: CATEGORIES.find((c) => c.id === t[3])!.name },
      tags: threadTags.filter((x) => x[0] === threadId).map((x) => x[1].slice(4)),
      author: owner.username,
      createdAt: (t[9] as Date).toISOString(),
    },
    posts: posts.map((p) => ({
      id: p[0],
      number: p[3],
      author: byId.get(p[2])?.username ?? "someone",
      createdAt: p[8].toISOString(),
      editedAt: null,
      body: p[4],
      bodyHtml: p[5],
      accepted: false,
    })),
    acceptedPostId: null,
    links: [],
    gate: { ...gate, scopeAccepted: true, scopeStatement: "One reproducible problem with the product." },
    payer: { id: owner.id, username: owner.username, email: `${owner.username}@bench.example` },
    tier: { slug: tier.slug, name: tier.name, responseHours: tier.hours, priceCents: tier.cents, currency: "usd" },
  };
  // Paid through Stripe: the benchmark serves production, which counts no test-mode ticket (docs/decisions/038).
  const escalationId = `esc_${i}`;
  const ticketId = `tkt_${i}`;
  const done = state === "resolved" || state === "rejected" || state === "expired";
  escalations.push([
    escalationId,
    threadId,
    owner.id,
    tier.id,
    "paid",
    gate.productVersion,
    gate.environment,
    gate.stepsToReproduce,
    gate.alreadyTried,
    true,
    tier.cents,
    "usd",
    "stripe",
    `pi_bench_${i}`,
    paidAt,
    paidAt,
  ]);
  tickets.push([
    ticketId,
    escalationId,
    threadId,
    owner.id,
    tier.id,
    state,
    tier.name,
    tier.hours,
    tier.cents,
    "usd",
    JSON.stringify(snapshot),
    paidAt,
    new Date(paidAt.getTime() + tier.hours * 3_600_000),
    state === "awaiting_acceptance" ? null : new Date(paidAt.getTime() + 3_600_000),
    state === "resolved" ? new Date(paidAt.getTime() + DAY) : null,
    done ? new Date(paidAt.getTime() + DAY) : null,
    state === "rejected" ? "out_of_scope" : null,
    paidAt,
    paidAt,
  ]);
  payments.push([
    `pay_${i}`,
    escalationId,
    ticketId,
    "stripe",
    `pi_bench_${i}`,
    state === "resolved" || state === "open" || state === "waiting_on_customer" ? "captured" : done ? "canceled" : "authorized",
    tier.cents,
    "usd",
    paidAt,
    paidAt,
  ]);
  const count = state === "awaiting_acceptance" ? 0 : 1 + r.int(5);
  for (let m = 0; m < count; m++) {
    const fromStaff = m % 2 === 0;
    const body = fromStaff
      ? "Thanks for the details. Could you send the output of the diagnostics command?"
      : "Here is the output; the error is still there after the restart.";
    messages.push([
      `tmsg_${i}_${m}`,
      ticketId,
      fromStaff ? "u_bench_maintainer" : owner.id,
      body,
      `<p>${body}</p>`,
      fromStaff && r.next() < 0.2,
      new Date(paidAt.getTime() + (m + 1) * 3_600_000),
    ]);
  }
}
await bulk(
  "Escalation",
  [
    ["id", "text"],
    ["threadId", "text"],
    ["userId", "text"],
    ["tierId", "text"],
    ["state", '"EscalationState"'],
    ["productVersion", "text"],
    ["environment", "text"],
    ["stepsToReproduce", "text"],
    ["alreadyTried", "text"],
    ["acceptScope", "boolean"],
    ["amountCents", "int"],
    ["currency", "text"],
    ["provider", "text"],
    ["paymentIntentId", "text"],
    ["createdAt", "timestamp"],
    ["updatedAt", "timestamp"],
  ],
  escalations,
);
await bulk(
  "Ticket",
  [
    ["id", "text"],
    ["escalationId", "text"],
    ["threadId", "text"],
    ["ownerId", "text"],
    ["tierId", "text"],
    ["state", '"TicketState"'],
    // The terms sold with the ticket (docs/decisions/034).
    ["soldTierName", "text"],
    ["soldResponseHours", "int"],
    ["soldPriceCents", "int"],
    ["soldCurrency", "text"],
    ["snapshot", "jsonb"],
    ["paidAt", "timestamp"],
    ["deadlineAt", "timestamp"],
    ["acceptedAt", "timestamp"],
    ["resolvedAt", "timestamp"],
    ["closedAt", "timestamp"],
    ["rejectReason", '"RejectReason"'],
    ["createdAt", "timestamp"],
    ["updatedAt", "timestamp"],
  ],
  tickets,
);
await bulk(
  "Payment",
  [
    ["id", "text"],
    ["escalationId", "text"],
    ["ticketId", "text"],
    ["provider", "text"],
    ["paymentIntentId", "text"],
    ["status", "text"],
    ["amountCents", "int"],
    ["currency", "text"],
    ["createdAt", "timestamp"],
    ["updatedAt", "timestamp"],
  ],
  payments,
);
await bulk(
  "TicketMessage",
  [
    ["id", "text"],
    ["ticketId", "text"],
    ["authorId", "text"],
    ["body", "text"],
    ["bodyHtml", "text"],
    ["internal", "boolean"],
    ["createdAt", "timestamp"],
  ],
  messages,
);

// Counters the app keeps incrementally, computed once ------------------------------------------
console.log("Counters, scores, reputation…");
await client.query(
  `update "Post" p set score = v.n from (select "postId", count(*)::int as n from "Vote" group by 1) v where p.id = v."postId"`,
);
await client.query(`update "Thread" t set score = p.score from "Post" p where p."threadId" = t.id and p.number = 0 and p.score <> 0`);
await client.query(`update "Thread" t set "escalatedAt" = k."paidAt", "resolvedViaSupportAt" = case when k.state = 'resolved' then k."resolvedAt" end
  from "Ticket" k where k."threadId" = t.id`);
await client.query(
  `update "Tag" g set count = v.n from (select "tagId", count(*)::int as n from "ThreadTag" group by 1) v where g.id = v."tagId"`,
);
await client.query(`update "Category" c set "threadCount" = coalesce(v.threads, 0), "postCount" = coalesce(v.posts, 0)
  from (select t."categoryId", count(distinct t.id)::int as threads, count(p.id)::int as posts
        from "Thread" t left join "Post" p on p."threadId" = t.id and not p.hidden and p."deletedAt" is null
        where not t.hidden and t."deletedAt" is null group by 1) v where c.id = v."categoryId"`);
await client.query(`update "User" u set reputation = coalesce(v.rep, 0) from (
    select p."authorId", sum(p.score) * 10 + 15 * count(t.id) as rep from "Post" p left join "Thread" t on t."acceptedPostId" = p.id group by 1
  ) v where u.id = v."authorId"`);
await client.query(`update "User" u set "trustLevel" = case when u.role <> 'member' or u.reputation >= 50 or c.n >= 20 then 2 when u.reputation >= 10 or c.n >= 3 then 1 else 0 end
  from (select u2.id, count(p.id) as n from "User" u2 left join "Post" p on p."authorId" = u2.id group by 1) c where c.id = u.id`);
await client.query(`update "User" set "trustLevel" = 2 where username in ($1, $2)`, [BENCH.moderator, BENCH.member]);
await client.query("set session_replication_role = origin");
await client.query("analyze");
const seedMs = performance.now() - started;

// Search index, built once through the reindex path (no per-post jobs) -----------------------------
process.env.DATABASE_URL = database.url;
process.env.DATABASE_POOL_SIZE = database.target && "pglite" in database.target ? "1" : "4";
const { createSearchEngine } = await import("../search/index.server.ts");
const { reindex } = await import("../search/reindex.server.ts");
const { disconnectDb } = await import("../app/services/db.server.ts");
const engine = createSearchEngine();
let ip: Progress | undefined;
const indexed = await reindex(engine, {
  onProgress: (done, total) => {
    ip ??= new Progress({ label: "search index", total, unit: "posts" });
    ip.update(done, total);
  },
});
ip?.finish();
await engine.close();
await disconnectDb();
// The seed renders its own plain Markdown (paragraphs and code blocks) to HTML: stored as current, so the app
// does not start re-rendering 100k posts in the background, moving the content version (and emptying the page
// cache) every batch for half an hour while the benchmark runs.
const { RENDERER_VERSION } = await import("../app/services/markdown.server.ts");
await client.query(
  `insert into "Setting" (key, value, "updatedAt") values ('markdown.rendererVersion', $1::jsonb, now())
   on conflict (key) do update set value = excluded.value, "updatedAt" = now()`,
  [JSON.stringify(RENDERER_VERSION)],
);
await client.query("analyze");
await client.end();
await database.close();

const totalS = (performance.now() - started) / 1000;
console.log(
  `Seeded ${postRows.length.toLocaleString("en-US")} posts in ${threadRows.length.toLocaleString("en-US")} threads, ${everyone.length.toLocaleString("en-US")} members, ` +
    `${votes.length.toLocaleString("en-US")} votes, ${accepted.length.toLocaleString("en-US")} accepted answers, ${tagNames.size} tags, ${tickets.length} tickets ` +
    `in ${(seedMs / 1000).toFixed(1)}s; search index (${indexed.documents.toLocaleString("en-US")} posts) in ${(indexed.ms / 1000).toFixed(1)}s; total ${totalS.toFixed(1)}s.`,
);
console.log(`Sign in as ${BENCH.moderator}@bench.example or ${BENCH.member}@bench.example with password "${BENCH.password}".`);
process.exit(0);
