import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchEngine, SearchQuery, ThreadDocuments } from "#search/engine";
import { MeilisearchEngine } from "#search/meilisearch.server";
import { enqueueSearchSync, SEARCH_QUEUE, searchJobHandler } from "#search/outbox.server";
import { PostgresSearchEngine } from "#search/postgres.server";
import { reindex } from "#search/reindex.server";
import { startSearch, stopSearch } from "#search/index.server";
import { onSearchIndexChanged } from "#search/index-changed.server";
import { deleteThread, hideThread, lockThread, moveThread, restoreThread } from "~/models/moderation/thread-moderation.server";
import { hidePost, unhidePost } from "~/models/moderation/post-moderation.server";
import { acceptAnswer, createReply, editPost } from "~/models/community/post.server";
import { createThread } from "~/models/community/thread.server";
import { db } from "~/services/db.server";
import { claim, runOnce } from "~/services/jobs.server";
import { FakeMeilisearch } from "../mocks/meilisearch";
import { useTestDatabase } from "../helpers/database";
import { makeCategory, makeUser } from "../helpers/factories";
import { threadIds } from "../helpers/search-documents";

// Every change to public content reaches the index through the outbox: the
// model writes a job in its own transaction, the worker re-reads the thread
// and makes the index match it, and nothing is lost when the worker dies or
// the engine is away.

useTestDatabase();

const engine = new PostgresSearchEngine(db);
const handler = searchJobHandler(() => engine);

/** Runs the worker until the queue has nothing due. */
async function drain(h = handler) {
  while ((await runOnce(SEARCH_QUEUE, h)) > 0);
}
const found = async (q: string, more: Partial<SearchQuery> = {}) => threadIds((await engine.search({ q, ...more })).hits);
const pendingJobs = () => db.job.count({ where: { queue: SEARCH_QUEUE, state: "pending" } });
/** Time passes: jobs waiting for their retry become due. */
const timePasses = () =>
  db.job.updateMany({ where: { queue: SEARCH_QUEUE, state: "pending" }, data: { runAt: new Date(Date.now() - 1000) } });

let asker: Awaited<ReturnType<typeof makeUser>>;
let helper: Awaited<ReturnType<typeof makeUser>>;
let moderator: Awaited<ReturnType<typeof makeUser>>;
let category: Awaited<ReturnType<typeof makeCategory>>;
let other: Awaited<ReturnType<typeof makeCategory>>;

beforeAll(async () => {
  await engine.prepare();
  [asker, helper, moderator, category, other] = await Promise.all([
    makeUser(),
    makeUser(),
    makeUser({ role: "moderator" }),
    makeCategory(),
    makeCategory(),
  ]);
});

const ask = (title: string, body: string) => createThread(asker, { category: category.slug, title, body, tags: "sync" });

describe("content changes reach the index", () => {
  it("a new question is searchable once the worker has run, and its reply too", async () => {
    const thread = await ask("Zeppelin mooring mast keeps swaying", "The zeppelin sways at the mooring mast whenever wind picks up.");
    expect(await found("zeppelin")).toEqual([]);
    expect(await pendingJobs()).toBeGreaterThan(0);
    await drain();
    expect(await found("zeppelin")).toEqual([thread.id]);

    const reply = await createReply(helper, thread.id, { body: "Vent some hydrogen and add a second tether." });
    await drain();
    const [hit] = (await engine.search({ q: "hydrogen tether" })).hits;
    expect(hit).toMatchObject({ threadId: thread.id, postId: reply.id });
  });

  it("an edit replaces the old words", async () => {
    const thread = await ask("Gramophone needle skips on vinyl", "The needle skips every few seconds on old lacquer discs.");
    await drain();
    expect(await found("lacquer")).toEqual([thread.id]);
    await editPost(asker, thread.postId, { body: "The phonograph stylus jumps on shellac records." });
    await drain();
    expect(await found("lacquer")).toEqual([]);
    expect(await found("phonograph shellac")).toEqual([thread.id]);
  });

  it("accepting an answer makes the thread solved, and repeated changes collapse into one job", async () => {
    const thread = await ask("Sextant calibration drifts at dusk", "My sextant calibration drifts at dusk every time.");
    const reply = await createReply(helper, thread.id, { body: "Check the index mirror of the sextant." });
    await acceptAnswer(asker, reply.id);
    expect(await db.job.count({ where: { dedupeKey: `thread:${thread.id}`, state: "pending" } })).toBe(1);
    await drain();
    expect(await found("sextant", { filters: { solved: true } })).toEqual([thread.id]);
    const [hit] = (await engine.search({ q: "sextant mirror" })).hits;
    expect(hit).toMatchObject({ postId: reply.id, isAccepted: true });
  });

  it("moving a thread changes its category; locking keeps it searchable", async () => {
    const thread = await ask("Astrolabe rete is stuck", "The astrolabe rete will not turn.");
    await drain();
    await moveThread(moderator, thread.id, { category: other.slug, reason: "Belongs elsewhere" });
    await lockThread(moderator, thread.id, {});
    await drain();
    expect(await found("astrolabe", { filters: { category: other.slug } })).toEqual([thread.id]);
    expect(await found("astrolabe", { filters: { category: category.slug } })).toEqual([]);
  });

  it("a hidden reply leaves the index and comes back when unhidden", async () => {
    const thread = await ask("Harpsichord quill plucks too hard", "My harpsichord quill plucks too hard on the low strings.");
    const reply = await createReply(helper, thread.id, { body: "Trim the plectrum with a scalpel." });
    await drain();
    expect(await found("plectrum scalpel")).toEqual([thread.id]);
    await hidePost(moderator, reply.id, { reason: "Spam" });
    await drain();
    expect(await found("plectrum scalpel")).toEqual([]);
    expect(await found("harpsichord")).toEqual([thread.id]);
    await unhidePost(moderator, reply.id, {});
    await drain();
    expect(await found("plectrum scalpel")).toEqual([thread.id]);
  });

  it("a hidden or deleted thread leaves the index entirely; a restored one returns", async () => {
    const hidden = await ask("Theodolite tripod wobbles", "The theodolite tripod wobbles on gravel.");
    const deleted = await ask("Planimeter wheel slips", "The planimeter wheel slips on glossy paper.");
    await createReply(helper, deleted.id, { body: "Roughen the planimeter wheel rim." });
    await drain();
    await hideThread(moderator, hidden.id, { reason: "Off topic" });
    await deleteThread(moderator, deleted.id, { reason: "Duplicate" });
    await drain();
    expect(await found("pelorus")).toEqual([]);
    expect(await found("planimeter")).toEqual([]);
    expect((await engine.search({ q: "planimeter", visibility: ["public", "maintainers"] })).hits).toEqual([]);
    await restoreThread(moderator, deleted.id, {});
    await drain();
    expect(await found("planimeter")).toEqual([deleted.id]);
  });
});

describe("reliability", () => {
  it("jobs claimed by a worker that died mid-batch are picked up again and nothing is lost", async () => {
    const threads = await Promise.all(
      ["Orrery gears grind", "Orrery moon lags", "Orrery crank slips"].map((t, i) =>
        ask(t, `Orrery problem number ${i + 1} with the brass gears.`),
      ),
    );
    // A worker takes the batch with a short lease and is killed before finishing it.
    const taken = await claim(SEARCH_QUEUE, 100, 1);
    expect(taken.length).toBeGreaterThanOrEqual(3);
    expect(await db.job.count({ where: { queue: SEARCH_QUEUE, state: "running" } })).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 10));
    // The restarted worker finds the expired lease and does the work.
    await drain();
    expect((await found("orrery")).sort()).toEqual(threads.map((t) => t.id).sort());
    expect(await db.job.count({ where: { queue: SEARCH_QUEUE, state: { in: ["pending", "running"] } } })).toBe(0);
  });

  it("a batch that fails halfway is retried as a whole later, and ends up complete", async () => {
    const a = await ask("Quadrant plumb line tangles", "The quadrant plumb line tangles in wind.");
    const b = await ask("Quadrant arc scale faded", "The quadrant arc scale has faded.");
    let calls = 0;
    // Writes the first thread, then crashes: a partial write like a process killed mid-batch.
    const broken: SearchEngine = Object.assign(Object.create(engine) as SearchEngine, {
      apply: async (threads: ThreadDocuments[]) => {
        calls += 1;
        await engine.apply(threads.slice(0, 1));
        throw new Error("killed mid-batch");
      },
    });
    const crashing = searchJobHandler(() => broken);
    await drain(crashing);
    expect(calls).toBe(1);
    const failed = await db.job.findMany({ where: { dedupeKey: { in: [`thread:${a.id}`, `thread:${b.id}`] } } });
    expect(failed.every((j) => j.state === "pending" && j.attempts === 1 && j.lastError === "killed mid-batch")).toBe(true);
    expect(failed.every((j) => j.runAt > new Date())).toBe(true);
    await timePasses();
    await drain();
    expect((await found("quadrant")).sort()).toEqual([a.id, b.id].sort());
  });

  it("while Meilisearch is down posting still works, and the index catches up when it returns", async () => {
    const fake = await new FakeMeilisearch().start();
    const meili = new MeilisearchEngine({ host: fake.url, indexPrefix: "sync", taskPollMs: 5, requestTimeoutMs: 2000 });
    const meiliHandler = searchJobHandler(() => meili);
    try {
      await drain();
      fake.available = false;
      const thread = await ask("Barometer needle stuck at rain", "The aneroid barometer needle is stuck at rain.");
      await drain(meiliHandler);
      const job = await db.job.findFirstOrThrow({ where: { dedupeKey: `thread:${thread.id}` } });
      expect(job).toMatchObject({ state: "pending", attempts: 1 });
      expect(job.lastError).toMatch(/Meilisearch/);

      fake.available = true;
      await timePasses();
      await drain(meiliHandler);
      expect(fake.documents("sync_posts").map((d) => d.threadId)).toContain(thread.id);
      expect(await db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ state: "done" });
    } finally {
      await fake.stop();
    }
  });

  it("a long outage never drops a change, and the first batch that goes through makes every waiting change due", async () => {
    await drain();
    const a = await ask("Alidade mirror fogged", "The alidade sight mirror fogs up at dawn.");
    const b = await ask("Alidade vane sticky", "The alidade vane is sticky after rain.");
    const down: SearchEngine = Object.assign(Object.create(engine) as SearchEngine, {
      apply: async () => {
        throw new Error("engine unreachable");
      },
    });
    // Far more failed attempts than a day of 10-minute retries would make with the default budget of 8.
    for (let i = 0; i < 20; i++) {
      await drain(searchJobHandler(() => down));
      await timePasses();
    }
    const waiting = await db.job.findMany({ where: { dedupeKey: { in: [`thread:${a.id}`, `thread:${b.id}`] } } });
    expect(waiting.map((j) => [j.state, j.attempts])).toEqual([
      ["pending", 20],
      ["pending", 20],
    ]);

    // Only a's job is due when the engine comes back; b's still waits out its backoff.
    await db.job.update({
      where: { id: waiting.find((j) => j.dedupeKey === `thread:${b.id}`)!.id },
      data: { runAt: new Date(Date.now() + 600_000) },
    });
    expect(await runOnce(SEARCH_QUEUE, handler)).toBe(1);
    const bJob = await db.job.findFirstOrThrow({ where: { dedupeKey: `thread:${b.id}` } });
    expect(bJob.runAt.getTime()).toBeLessThanOrEqual(Date.now());
    await drain();
    expect((await found("alidade")).sort()).toEqual([a.id, b.id].sort());
  });

  it("an empty index is filled from the database at start", async () => {
    // Content that never went through the outbox (demo seed, an old install).
    const author = await db.user.findUniqueOrThrow({ where: { id: asker.id } });
    const t = await db.thread.create({
      data: {
        slug: "sundial",
        title: "Sundial gnomon casts no shadow",
        categoryId: category.id,
        authorId: author.id,
        posts: { create: { number: 0, authorId: author.id, body: "x", bodyHtml: "<p>The sundial gnomon casts no shadow at noon.</p>" } },
      },
    });
    const builder = await engine.rebuild();
    await builder.commit(); // an empty live index
    await startSearch();
    try {
      expect(await db.job.count({ where: { dedupeKey: `thread:${t.id}`, state: "pending" } })).toBe(1);
      await drain();
      expect(await found("sundial gnomon")).toEqual([t.id]);
    } finally {
      await stopSearch();
    }
  });

  it("a reindex swaps in a complete copy and catches up with changes made while it ran", async () => {
    const thread = await ask("Chronometer loses seconds", "The marine chronometer loses seconds daily.");
    await drain();
    let edited = false;
    const result = await reindex(engine, {
      threadsPerBatch: 2,
      onProgress: async () => {
        if (edited) return;
        edited = true;
        await editPost(asker, thread.postId, { body: "The marine chronometer gains seconds when cold." });
      },
    });
    expect(result.documents).toBeGreaterThan(5);
    expect(result.caughtUp).toBeGreaterThanOrEqual(1);
    await drain();
    expect(await found("chronometer gains cold")).toEqual([thread.id]);
    expect(await found("zeppelin")).toHaveLength(1);
  });

  it("enqueues with the caller's transaction: a rolled-back change leaves no job", async () => {
    const before = await pendingJobs();
    await expect(
      db.$transaction(async (tx) => {
        await enqueueSearchSync(tx, "no-such-thread");
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await pendingJobs()).toBe(before);
  });
});

afterAll(async () => {
  await engine.close();
});

describe("cached search pages learn that the index changed (ADR 020)", () => {
  const contentVersion = async () =>
    BigInt((await db.$queryRawUnsafe<{ v: string }[]>(`select last_value::text as v from "backline_content_version"`))[0]!.v);

  it("an applied batch and a reindex swap each move the content version and tell this process", async () => {
    const thread = await ask("Hygrometer reads over 100 percent", "The hygrometer reads over 100 percent after fog.");
    let told = 0;
    const stop = onSearchIndexChanged(() => told++);
    try {
      // The write moved the version at commit; the index has not caught up yet.
      const afterWrite = await contentVersion();
      await drain();
      expect(await found("hygrometer")).toEqual([thread.id]);
      expect(await contentVersion()).toBeGreaterThan(afterWrite);
      expect(told).toBe(1);

      const beforeReindex = await contentVersion();
      await reindex(engine);
      expect(await contentVersion()).toBeGreaterThan(beforeReindex);
      expect(told).toBe(2);
    } finally {
      stop();
    }
    await drain();
    expect(told).toBe(2);
  });

  it("a batch the engine refused announces nothing: cached pages stay as they are", async () => {
    await ask("Anemometer cups spin backwards", "The anemometer cups spin backwards in gusts.");
    let told = 0;
    const stop = onSearchIndexChanged(() => told++);
    const broken = searchJobHandler(() =>
      Object.assign(Object.create(engine) as SearchEngine, { apply: async () => Promise.reject(new Error("engine down")) }),
    );
    let jobs: Awaited<ReturnType<typeof claim>> = [];
    try {
      const before = await contentVersion();
      jobs = await claim(SEARCH_QUEUE, 10);
      await expect(broken(jobs)).rejects.toThrow("engine down");
      expect(told).toBe(0);
      expect(await contentVersion()).toBe(before);
    } finally {
      stop();
      // Handed back, as the worker's retry would: only the jobs this test claimed.
      await db.job.updateMany({
        where: { id: { in: jobs.map((j) => j.id) } },
        data: { state: "pending", lockedUntil: null, runAt: new Date(Date.now() - 1000) },
      });
    }
    await drain();
  });
});

describe("one listener registry per process", () => {
  it("reaches listeners registered through another copy of the module, as the server bundle and the Remix build each carry one", async () => {
    const specifier = "../../search/index-changed.server.ts?second-copy";
    const copy: typeof import("#search/index-changed.server") = await import(/* @vite-ignore */ specifier);
    expect(copy.onSearchIndexChanged).not.toBe(onSearchIndexChanged);
    let told = 0;
    const stop = onSearchIndexChanged(() => told++);
    try {
      await copy.announceSearchIndexChange();
      expect(told).toBe(1);
    } finally {
      stop();
    }
  });
});
