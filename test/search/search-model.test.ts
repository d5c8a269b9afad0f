import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SEARCH_QUEUE, searchJobHandler } from "#search/outbox.server";
import { getSearchEngine, stopSearch } from "#search/index.server";
import { resetEnvForTests } from "~/env.server";
import { hidePost } from "~/models/moderation/post-moderation.server";
import { hideThread } from "~/models/moderation/thread-moderation.server";
import { acceptAnswer, createReply } from "~/models/community/post.server";
import { parseSearchParams, parseSimilarParams, searchForum as search, similarThreads as similar } from "~/models/community/search.server";
import { createThread } from "~/models/community/thread.server";
import { runOnce } from "~/services/jobs.server";
import { AppError } from "~/utils/errors";
import { useTestDatabase } from "../helpers/database";
import { makeCategory, makeUser } from "../helpers/factories";

// What the search page, the API and the new-question form get: the engine's
// answer, checked against the database, with URLs and the accepted answer's
// first lines.

const searchForum = async (input: Record<string, unknown>, viewer: null) => search(parseSearchParams(input), viewer);
const similarThreads = async (input: Record<string, unknown>, viewer: null) => similar(parseSimilarParams(input), viewer);

useTestDatabase();

const drain = async () => {
  const handler = searchJobHandler(getSearchEngine);
  while ((await runOnce(SEARCH_QUEUE, handler)) > 0);
};

let member: Awaited<ReturnType<typeof makeUser>>;
let helper: Awaited<ReturnType<typeof makeUser>>;
let moderator: Awaited<ReturnType<typeof makeUser>>;
let slug: string;
const ids: Record<string, { id: string; postId: string; url: string }> = {};

beforeAll(async () => {
  await getSearchEngine().prepare();
  [member, helper, moderator] = await Promise.all([makeUser(), makeUser(), makeUser({ role: "moderator" })]);
  slug = (await makeCategory()).slug;
  const ask = async (key: string, title: string, body: string, answer?: { body: string; accept?: boolean }) => {
    const t = await createThread(member, { category: slug, title, body, tags: "printing" });
    ids[key] = { id: t.id, postId: t.postId, url: t.url };
    if (answer) {
      const reply = await createReply(helper, t.id, { body: answer.body });
      if (answer.accept) await acceptAnswer(member, reply.id);
    }
  };
  await ask("solvedA", "Printer queue stalls after driver update", "The printer queue stalls after I updated the driver.", {
    body: "Roll back to driver 4.2.\n\nThen clear the spooler folder and restart the print service. That fixed the stalled queue for us.",
    accept: true,
  });
  await ask("open", "Printer queue stalls on large PDF files", "Large PDF files stall the printer queue for minutes.");
  await ask("solvedB", "Printer driver update breaks the queue", "Since the driver update the print queue breaks.", {
    body: "Reinstall the **driver** from the vendor site.",
    accept: true,
  });
  await ask("hidden", "Printer queue stalls for the hidden thread", "The printer queue stalls and this thread will be hidden.");
  await ask("unrelated", "Laminator jams on thick card", "The laminator jams whenever the card is thick.");
  await drain();
});

afterAll(async () => {
  await stopSearch();
});

describe("searching the forum", () => {
  it("answers with links to the matching post, highlighted snippets and facet counts", async () => {
    const res = await searchForum({ q: "printer queue stalls" }, null);
    expect(res.total).toBe(3);
    expect(res.hits.map((h) => h.threadId)).toContain(ids.solvedA!.id);
    const hit = res.hits.find((h) => h.threadId === ids.solvedA!.id)!;
    expect(hit.url.startsWith(ids.solvedA!.url)).toBe(true);
    expect(hit.titleHtml).toContain("<mark>Printer</mark>");
    expect(hit.snippet).toMatch(/<mark>(stalls|queue|printer)<\/mark>/i);
    expect(res.facets.tag).toEqual([{ value: "printing", count: 3 }]);
    expect(res.facets.category).toEqual([{ value: slug, count: 3 }]);
    expect(res).toMatchObject({ page: 1, pages: 1, sort: "relevance" });
  });

  it("never shows a thread hidden a moment ago, even before the worker has updated the index", async () => {
    await hideThread(moderator, ids.hidden!.id, { reason: "Spam" });
    const res = await searchForum({ q: "hidden thread" }, null);
    expect(res.hits.map((h) => h.threadId)).not.toContain(ids.hidden!.id);
    await drain();
    expect((await searchForum({ q: "printer queue stalls" }, null)).total).toBe(2);
  });

  it("never shows a reply hidden a moment ago, and still shows its thread's other posts", async () => {
    const t = await createThread(member, { category: slug, title: "Toner smudges on every page", body: "Every page comes out smudged." });
    const reply = await createReply(helper, t.id, { body: "Replace the fuser unit; smudging toner means a worn fuser." });
    await drain();
    expect((await searchForum({ q: "fuser" }, null)).hits.map((h) => h.postId)).toContain(reply.id);
    await hidePost(moderator, reply.id, { reason: "Advertising" });
    // The index still has the reply until the worker runs: the database check drops it.
    const hits = (await searchForum({ q: "fuser" }, null)).hits;
    expect(hits.map((h) => h.postId)).not.toContain(reply.id);
    expect((await searchForum({ q: "toner smudges" }, null)).hits.map((h) => h.postId)).toContain(t.postId);
    await drain();
  });

  it("accepts absurd input and rejects only malformed parameters", async () => {
    await expect(searchForum({ q: "x".repeat(5000) }, null)).resolves.toMatchObject({ hits: [] });
    await expect(searchForum({ q: '\'; drop table "Post"; --' }, null)).resolves.toBeDefined();
    await expect(searchForum({}, null)).resolves.toMatchObject({ hits: [], total: 0 });
    for (const bad of [{ page: "0" }, { solved: "maybe" }, { from: "yesterday" }, { sort: "random" }, { perPage: "500" }]) {
      const error = await searchForum({ q: "printer", ...bad }, null).catch((e: unknown) => e);
      expect(error, JSON.stringify(bad)).toBeInstanceOf(AppError);
      expect((error as AppError).status).toBe(400);
    }
  });

  it("filters by day, including the whole last day", async () => {
    const today = new Date().toISOString().slice(0, 10);
    expect((await searchForum({ q: "laminator", from: today, to: today }, null)).total).toBe(1);
    expect((await searchForum({ q: "laminator", to: "2001-01-01" }, null)).total).toBe(0);
  });

  it("answers 503 when the search engine is unreachable", async () => {
    process.env.MEILI_HOST = "http://127.0.0.1:9";
    resetEnvForTests();
    await stopSearch();
    try {
      const error = await searchForum({ q: "printer" }, null).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ status: 503, code: "search_unavailable", headers: { "Retry-After": "30" } });
    } finally {
      delete process.env.MEILI_HOST;
      resetEnvForTests();
      await stopSearch();
    }
  });
});

describe("similar threads for a draft title", () => {
  it("lists up to five close threads, solved ones first, with the accepted answer's first lines", async () => {
    const found = await similarThreads({ title: "Printer queue stalls after update" }, null);
    expect(found.length).toBeGreaterThanOrEqual(3);
    expect(found.length).toBeLessThanOrEqual(5);
    expect(found.map((f) => f.solved)).toEqual([...found.map((f) => f.solved)].sort((a, b) => Number(b) - Number(a)));
    expect(found[0]).toMatchObject({ threadId: ids.solvedA!.id, solved: true });
    expect(found[0]!.acceptedAnswer).toMatchObject({ author: helper.username });
    expect(found[0]!.acceptedAnswer!.excerpt).toBe(
      "Roll back to driver 4.2. Then clear the spooler folder and restart the print service. That fixed the stalled queue for us.",
    );
    expect(found.map((f) => f.threadId)).not.toContain(ids.hidden!.id);
    expect(found.map((f) => f.threadId)).not.toContain(ids.unrelated!.id);
  });

  it("no longer counts a thread as solved once its accepted answer is hidden", async () => {
    const solvedB = await similarThreads({ title: "driver update breaks queue" }, null);
    const thread = solvedB.find((f) => f.threadId === ids.solvedB!.id)!;
    expect(thread.solved).toBe(true);
    const accepted = await import("~/services/db.server").then(({ db }) =>
      db.thread.findUniqueOrThrow({ where: { id: ids.solvedB!.id }, select: { acceptedPostId: true } }),
    );
    await hidePost(moderator, accepted.acceptedPostId!, { reason: "Wrong" });
    const after = (await similarThreads({ title: "driver update breaks queue" }, null)).find((f) => f.threadId === ids.solvedB!.id)!;
    expect(after).toMatchObject({ solved: false, acceptedAnswer: null });
  });

  it("leaves out a given thread, and answers nothing to a too-short or empty title", async () => {
    const found = await similarThreads({ title: "Printer queue stalls after driver update", excludeThreadId: ids.solvedA!.id }, null);
    expect(found.map((f) => f.threadId)).not.toContain(ids.solvedA!.id);
    expect(await similarThreads({ title: "pr" }, null)).toEqual([]);
    expect(await similarThreads({}, null)).toEqual([]);
    expect(await similarThreads({ title: "?!?!?!?!" }, null)).toEqual([]);
  });
});
