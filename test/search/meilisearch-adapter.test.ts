import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SearchEngineError } from "#search/engine";
import { buildFilter, filterValue, staleDocumentsFilter } from "#search/meilisearch-filter";
import { MeilisearchEngine } from "#search/meilisearch.server";
import { POSTS_INDEX_SETTINGS } from "#search/settings";
import { compileFilter, FakeMeilisearch } from "../mocks/meilisearch";
import { thread } from "../helpers/search-documents";

// The Meilisearch adapter's conversation with the server, against a local
// HTTP fake that records every request and answers like Meilisearch.

const KEY = "test-master-key";
const UID = "t_posts";
let fake: FakeMeilisearch;
let engine: MeilisearchEngine;

const make = (opts: Partial<ConstructorParameters<typeof MeilisearchEngine>[0]> = {}) =>
  new MeilisearchEngine({ host: fake.url, apiKey: KEY, indexPrefix: "t", taskPollMs: 5, taskTimeoutMs: 2000, ...opts });

beforeAll(async () => {
  fake = await new FakeMeilisearch(KEY).start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.indexes.clear();
  fake.requests.length = 0;
  fake.pollsBeforeDone = 1;
  fake.available = true;
  engine = make();
});
afterEach(async () => {
  await engine.close();
});

describe("preparing the index", () => {
  it("creates the index with its primary key and applies the settings from code, waiting for each task", async () => {
    await engine.prepare();
    const [create] = fake.requestsTo("POST", /^\/indexes$/);
    expect(create!.body).toEqual({ uid: UID, primaryKey: "id" });
    const [settings] = fake.requestsTo("PATCH", /^\/indexes\/t_posts\/settings$/);
    expect(settings!.body).toEqual(POSTS_INDEX_SETTINGS);
    expect(settings!.body).toMatchObject({
      typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 }, disableOnNumbers: true },
      faceting: { sortFacetValuesBy: { "*": "count" } },
      distinctAttribute: "threadId",
      sortableAttributes: ["createdAt"],
    });
    expect((settings!.body as { filterableAttributes: string[] }).filterableAttributes).toEqual(
      expect.arrayContaining(["visibility", "categorySlug", "tags", "solved", "authorUsername", "createdAt", "threadId", "postId"]),
    );
    // Each task was polled until it finished.
    expect(fake.requestsTo("GET", /^\/tasks\/\d+$/).length).toBeGreaterThanOrEqual(4);
    expect(fake.requests.every((r) => r.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(fake.indexes.get(UID)!.settings).toMatchObject({ distinctAttribute: "threadId" });
  });

  it("leaves an existing index in place and only updates its settings", async () => {
    await engine.prepare();
    fake.requests.length = 0;
    await make().prepare();
    expect(fake.requestsTo("POST", /^\/indexes$/)).toEqual([]);
    expect(fake.requestsTo("PATCH", /settings$/)).toHaveLength(1);
  });

  it("fails loudly when the settings task fails", async () => {
    fake.failNextTask("settingsUpdate", "invalid_settings_ranking_rules", "bad ranking rule");
    await expect(engine.prepare()).rejects.toThrow(/task \d+ \(settings update\) failed: invalid_settings_ranking_rules: bad ranking rule/);
  });

  it("refuses to work with a wrong API key", async () => {
    await expect(new MeilisearchEngine({ host: fake.url, apiKey: "wrong", indexPrefix: "t" }).prepare()).rejects.toThrow(SearchEngineError);
  });
});

describe("writing documents", () => {
  const threads = [
    thread({ id: "th1", title: "First", posts: [{ body: "one" }, { body: "two" }, { body: "three" }] }),
    thread({ id: "th2", title: "Second", posts: [{ body: "four" }] }),
  ];

  it("sends documents in batches, then removes a thread's other documents, and waits for every task", async () => {
    const small = make({ batchSize: 2 });
    await small.apply(threads);
    const adds = fake.requestsTo("POST", /^\/indexes\/t_posts\/documents$/);
    expect(adds.map((r) => (r.body as unknown[]).length)).toEqual([2, 2]);
    expect(adds.every((r) => r.query.get("primaryKey") === "id")).toBe(true);
    const [del] = fake.requestsTo("POST", /^\/indexes\/t_posts\/documents\/delete$/);
    expect(del!.body).toEqual({
      filter: '(threadId = "th1" AND postId NOT IN ["th1-p0", "th1-p1", "th1-p2"]) OR (threadId = "th2" AND postId NOT IN ["th2-p0"])',
    });
    expect(
      fake
        .documents(UID)
        .map((d) => d.id)
        .sort(),
    ).toEqual(["th1-p0", "th1-p1", "th1-p2", "th2-p0"]);
    // Settings went in before the first write, so filters work from the start.
    const order = fake.requests.map((r) => `${r.method} ${r.path}`).filter((r) => !r.includes("/tasks/"));
    expect(order.indexOf("PATCH /indexes/t_posts/settings")).toBeLessThan(order.indexOf("POST /indexes/t_posts/documents"));
  });

  it("deletes hidden posts and removed threads", async () => {
    await engine.apply(threads);
    await engine.apply([thread({ id: "th1", title: "First", posts: [{ body: "one" }] }), { threadId: "th2", documents: [] }]);
    expect(fake.documents(UID).map((d) => d.id)).toEqual(["th1-p0"]);
    const last = fake.requestsTo("POST", /documents\/delete$/).at(-1)!;
    expect((last.body as { filter: string }).filter).toBe('threadId IN ["th2"] OR (threadId = "th1" AND postId NOT IN ["th1-p0"])');
  });

  it("reports a failed document task as an engine error, so the outbox retries", async () => {
    await engine.prepare();
    fake.failNextTask("documentAdditionOrUpdate", "invalid_document_fields", "simulated rejection");
    await expect(engine.apply(threads)).rejects.toThrow(/Meilisearch task \d+ \(adding 4 documents\) failed: invalid_document_fields/);
  });

  it("gives up waiting for a task that never finishes", async () => {
    await engine.prepare();
    fake.pollsBeforeDone = Number.POSITIVE_INFINITY;
    const impatient = make({ taskTimeoutMs: 150 });
    await expect(impatient.apply(threads)).rejects.toThrow(SearchEngineError);
  });

  it("fails while the server is down and works again when it is back", async () => {
    await engine.prepare();
    fake.available = false;
    await expect(engine.apply(threads)).rejects.toThrow(/Meilisearch apply failed/);
    fake.available = true;
    await engine.apply(threads);
    expect(fake.documents(UID)).toHaveLength(4);
  });
});

describe("filters built from user input", () => {
  it("quotes every value and escapes quotes and backslashes", () => {
    expect(filterValue('pro" OR visibility = "maintainers')).toBe('"pro\\" OR visibility = \\"maintainers"');
    expect(filterValue("a\\b")).toBe('"a\\\\b"');
    expect(filterValue("tab\there")).toBe('"tabhere"');
  });

  it("keeps injected syntax inside the value when Meilisearch parses the filter", () => {
    const docs = [
      { visibility: "public", categorySlug: "pro", tags: ["x"], authorUsername: "ada", createdAt: 1, solved: true },
      { visibility: "maintainers", categorySlug: "pro", tags: ["x"], authorUsername: "ada", createdAt: 1, solved: true },
    ];
    const hostile = [
      { category: 'pro" OR visibility = "maintainers' },
      { category: "pro' OR visibility = 'maintainers" },
      { author: 'ada\\" OR visibility IN ["maintainers"] OR authorUsername = \\"' },
      { tags: ['x\\" OR visibility = "maintainers" OR tags = "'] },
    ];
    for (const filters of hostile) {
      const test = compileFilter(buildFilter(filters, ["public"]));
      expect(docs.filter(test), JSON.stringify(filters)).toEqual([]);
    }
    const honest = compileFilter(
      buildFilter({ category: "pro", tags: ["x"], author: "ada", solved: true, from: new Date(0), to: new Date(10) }, ["public"]),
    );
    expect(docs.filter(honest)).toEqual([docs[0]]);
  });

  it("always filters by visibility first, public unless asked otherwise", () => {
    expect(buildFilter({}, [])[0]).toBe('visibility IN ["public"]');
    expect(buildFilter({}, ["public", "maintainers"])[0]).toBe('visibility IN ["public", "maintainers"]');
  });

  it("builds removal filters that parse", () => {
    const filter = staleDocumentsFilter([{ threadId: 'we"ird', documents: [] }, thread({ id: "ok", title: "t", posts: [{ body: "b" }] })]);
    expect(() => compileFilter(filter)).not.toThrow();
  });
});

describe("searching", () => {
  beforeEach(async () => {
    await engine.apply([
      thread({
        id: "s1",
        title: "Webhook <b>signature</b>",
        category: "pro",
        tags: ["webhooks"],
        posts: [{ body: "The webhook fails & retries" }],
      }),
      thread({ id: "s2", title: "Secret webhook ticket", visibility: "maintainers", posts: [{ body: "private webhook" }] }),
    ]);
    fake.requests.length = 0;
  });

  it("asks for one page, facets, highlight markers and the public visibility", async () => {
    const res = await engine.search({ q: "webhook", filters: { category: "pro" }, page: 1, perPage: 10 });
    const [req] = fake.requestsTo("POST", /\/search$/);
    expect(req!.body).toMatchObject({
      q: "webhook",
      filter: ['visibility IN ["public"]', 'categorySlug = "pro"'],
      facets: ["categorySlug", "tags", "solved", "authorUsername"],
      page: 1,
      hitsPerPage: 10,
      matchingStrategy: "all",
      attributesToHighlight: ["title", "body"],
      attributesToCrop: ["body"],
      highlightPreTag: "\uE000",
      highlightPostTag: "\uE001",
    });
    expect(res.total).toBe(1);
    expect(res.hits[0]).toMatchObject({ threadId: "s1", postId: "s1-p0" });
    expect(res.hits[0]!.titleHtml).toBe("<mark>Webhook</mark> &lt;b&gt;signature&lt;/b&gt;");
    expect(res.hits[0]!.snippetHtml).toBe("The <mark>webhook</mark> fails &amp; retries");
    expect(res.facets.category).toEqual([{ value: "pro", count: 1 }]);
  });

  it("sorts by date when asked and sends query text only as the query", async () => {
    await engine.search({ q: 'webhook" OR visibility = "maintainers', sort: "newest" });
    const [req] = fake.requestsTo("POST", /\/search$/);
    expect(req!.body).toMatchObject({
      q: 'webhook" OR visibility = "maintainers',
      sort: ["createdAt:desc"],
      matchingStrategy: "all",
      filter: ['visibility IN ["public"]'],
    });
  });

  it("does not call Meilisearch for an empty or punctuation-only query", async () => {
    for (const q of ["", "  ", "?!&|"]) expect((await engine.search({ q })).hits).toEqual([]);
    expect(fake.requestsTo("POST", /\/search$/)).toEqual([]);
  });

  it("cuts absurdly long queries before sending them", async () => {
    await engine.search({ q: "webhook ".repeat(300) });
    const [req] = fake.requestsTo("POST", /\/search$/);
    expect((req!.body as { q: string }).q.length).toBeLessThanOrEqual(500);
  });

  it("looks for similar threads among question titles", async () => {
    const found = await engine.similar({ title: "webhook signature", excludeThreadId: "s9" });
    const [req] = fake.requestsTo("POST", /\/search$/);
    expect(req!.body).toMatchObject({
      q: "webhook signature",
      filter: ['visibility IN ["public"]', "postNumber = 0", 'threadId != "s9"'],
      attributesToSearchOn: ["title"],
      matchingStrategy: "frequency",
    });
    expect(found.map((f) => f.threadId)).toEqual(["s1"]);
  });

  it("turns an unreachable server into an engine error", async () => {
    fake.available = false;
    await expect(engine.search({ q: "webhook" })).rejects.toThrow(SearchEngineError);
  });
});

describe("reindexing", () => {
  it("fills a fresh index, swaps it with the live one and drops the old copy", async () => {
    await engine.apply([thread({ id: "old", title: "Old", posts: [{ body: "old" }] })]);
    fake.requests.length = 0;
    const builder = await engine.rebuild();
    await builder.add([thread({ id: "new", title: "New", posts: [{ body: "new" }] })]);
    expect(fake.documents(UID).map((d) => d.id)).toEqual(["old-p0"]);
    await builder.commit();
    expect(fake.documents(UID).map((d) => d.id)).toEqual(["new-p0"]);
    expect(fake.indexes.has("t_posts_reindex")).toBe(false);
    const [swap] = fake.requestsTo("POST", /^\/swap-indexes$/);
    expect(swap!.body).toEqual([{ indexes: ["t_posts", "t_posts_reindex"], rename: false }]);
    expect(fake.requestsTo("PATCH", /^\/indexes\/t_posts_reindex\/settings$/)).toHaveLength(1);
  });

  it("throws the fresh copy away when the rebuild is abandoned", async () => {
    await engine.apply([thread({ id: "old", title: "Old", posts: [{ body: "old" }] })]);
    const builder = await engine.rebuild();
    await builder.add([thread({ id: "new", title: "New", posts: [{ body: "new" }] })]);
    await builder.abort();
    expect(fake.indexes.has("t_posts_reindex")).toBe(false);
    expect(fake.documents(UID).map((d) => d.id)).toEqual(["old-p0"]);
  });

  it("counts documents, and zero when the index does not exist yet", async () => {
    expect(await engine.count()).toBe(0);
    await engine.apply([thread({ id: "c", title: "Count", posts: [{ body: "a" }, { body: "b" }] })]);
    expect(await engine.count()).toBe(2);
  });
});
