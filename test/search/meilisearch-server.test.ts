import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { MeilisearchEngine } from "#search/meilisearch.server";
import { FakeMeilisearch } from "../mocks/meilisearch";
import { thread, threadIds } from "../helpers/search-documents";

// Where a real Meilisearch server behaves differently from a forgiving fake
// (issue 15): multi-word matching, facet order, slow tasks, a lost index and
// old servers. test/mocks/meilisearch.ts follows the server's documentation.

const UID = "s_posts";
let fake: FakeMeilisearch;
let engine: MeilisearchEngine;
let indexLost: number;

const make = (opts: Partial<ConstructorParameters<typeof MeilisearchEngine>[0]> = {}) =>
  new MeilisearchEngine({
    host: fake.url,
    indexPrefix: "s",
    taskPollMs: 5,
    taskTimeoutMs: 2000,
    onIndexLost: () => void indexLost++,
    ...opts,
  });
const taskPolls = () => fake.requestsTo("GET", /^\/tasks\/\d+$/).length;

beforeAll(async () => {
  fake = await new FakeMeilisearch().start();
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.indexes.clear();
  fake.requests.length = 0;
  fake.releaseTasks();
  fake.version = "1.28.0";
  indexLost = 0;
  engine = make();
});
afterEach(async () => {
  fake.releaseTasks();
  await engine.close();
});

describe("a query of several words", () => {
  beforeEach(async () => {
    await engine.apply([
      thread({ id: "both", title: "Installation and the sidebar", posts: [{ body: "both words", createdAt: "2025-01-01T00:00:00Z" }] }),
      thread({ id: "first", title: "Installation on Debian", posts: [{ body: "only the first word", createdAt: "2025-02-01T00:00:00Z" }] }),
    ]);
  });

  it("finds only the threads with every word when some have them all, in totals and facets too", async () => {
    const res = await engine.search({ q: "installation sidebar" });
    expect(threadIds(res.hits)).toEqual(["both"]);
    expect(res.total).toBe(1);
    expect(res.facets.category).toEqual([{ value: "pro", count: 1 }]);
  });

  it("drops words from the end when no thread has them all, whatever the order asked for", async () => {
    expect(threadIds((await engine.search({ q: "installation zeppelin" })).hits).sort()).toEqual(["both", "first"]);
    expect(threadIds((await engine.search({ q: "installation zeppelin", sort: "newest" })).hits)).toEqual(["first", "both"]);
    expect((await engine.search({ q: "zeppelin installation" })).hits).toEqual([]);
  });
});

describe("facets on a large forum", () => {
  it("shows the most frequent authors, not the first hundred names alphabetically", async () => {
    const occasional = Array.from({ length: 120 }, (_, i) =>
      thread({ id: `o${i}`, title: "Gearbox question", posts: [{ body: "gearbox", author: `a${String(i).padStart(3, "0")}` }] }),
    );
    const regular = Array.from({ length: 5 }, (_, i) =>
      thread({ id: `z${i}`, title: "Gearbox again", posts: [{ body: "gearbox", author: "zelda" }] }),
    );
    await engine.apply([...occasional, ...regular]);
    const { facets } = await engine.search({ q: "gearbox" });
    expect(facets.author[0]).toEqual({ value: "zelda", count: 5 });
  });
});

describe("slow tasks", () => {
  it("waits for index creation as long as configured, not the client's 5 seconds", async () => {
    fake.slowTaskTypes.add("indexCreation");
    await expect(make({ taskTimeoutMs: 100 }).prepare()).rejects.toThrow(/creating index s_posts.*timeout of 100ms/);
  });

  it("keeps waiting for a slow reindex batch instead of abandoning the reindex", async () => {
    const patient = make({ taskTimeoutMs: 50, slowTaskRetries: 1000 });
    const builder = await patient.rebuild();
    fake.slowTaskTypes.add("documentAdditionOrUpdate");
    const outcome: { error?: unknown } = {};
    const adding = builder.add([thread({ id: "slow", title: "Slow batch", posts: [{ body: "tortoise" }] })]).catch((error) => {
      outcome.error = error;
    });
    const before = taskPolls();
    // Polls are at least 5 ms apart: 20 of them outlast the 50 ms timeout.
    await vi.waitFor(() => expect(taskPolls() - before >= 20 || outcome.error !== undefined).toBe(true), { timeout: 4000, interval: 5 });
    fake.releaseTasks();
    await adding;
    expect(outcome.error).toBeUndefined();
    await builder.commit();
    expect(threadIds((await patient.search({ q: "tortoise" })).hits)).toEqual(["slow"]);
  });
});

describe("an index lost behind the forum's back", () => {
  beforeEach(async () => {
    await engine.apply([thread({ id: "kept", title: "Carburettor tuning", posts: [{ body: "carburettor" }] })]);
  });

  it("is set up again when a search finds it missing, and the forum is told to refill it", async () => {
    fake.indexes.delete(UID);
    expect((await engine.search({ q: "carburettor" })).hits).toEqual([]);
    expect(fake.indexes.get(UID)!.settings).toMatchObject({ distinctAttribute: "threadId" });
    expect(indexLost).toBe(1);
  });

  it("is set up again when a write recreated it with default settings", async () => {
    fake.indexes.delete(UID);
    await engine.apply([thread({ id: "kept", title: "Carburettor tuning", posts: [{ body: "carburettor" }] })]);
    expect(threadIds((await engine.search({ q: "carburettor", filters: { category: "pro" } })).hits)).toEqual(["kept"]);
    expect(indexLost).toBe(1);
  });

  it("is set up again when a search finds nothing filterable", async () => {
    fake.indexes.get(UID)!.settings = {};
    expect(threadIds((await engine.search({ q: "carburettor" })).hits)).toEqual(["kept"]);
    expect(indexLost).toBe(1);
  });
});

describe("the server's version", () => {
  it("refuses a server older than the oldest supported version before touching an index", async () => {
    fake.version = "1.17.2";
    await expect(engine.prepare()).rejects.toThrow("Meilisearch 1.17.2 is too old: Backline needs 1.18.0 or later (see README, Search).");
    expect(fake.requestsTo("POST", /^\/indexes$/)).toEqual([]);
  });

  it("works with the oldest supported version", async () => {
    fake.version = "1.18.0";
    await engine.prepare();
    const builder = await engine.rebuild();
    await builder.commit();
    expect(fake.indexes.has(UID)).toBe(true);
  });
});
