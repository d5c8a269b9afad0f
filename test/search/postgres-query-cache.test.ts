import { beforeAll, describe, expect, it } from "vitest";
import type { SearchQuery, ThreadDocuments } from "#search/engine";
import { QueryCache, type CachedQuery } from "#search/postgres-query-cache";
import { PostgresSearchEngine } from "#search/postgres.server";
import type { PrismaClient } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { thread, threadIds } from "../helpers/search-documents";

// The PostgreSQL engine's per-query cache (ADR 044): a page turn reads only its
// hits; a write to the index, on this server or another, makes every cached
// query unreachable; private content is cached apart from public content.
useTestDatabase();

/** The engine on a database that records every statement it runs. */
function recordingEngine() {
  const statements: string[] = [];
  const record = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver);
        if (prop === "$queryRawUnsafe" || prop === "$executeRawUnsafe")
          return (sql: string, ...values: unknown[]) => {
            statements.push(sql);
            return (value as (s: string, ...v: unknown[]) => unknown).call(obj, sql, ...values);
          };
        if (prop === "$transaction") return (fn: (tx: object) => unknown) => db.$transaction((tx) => fn(record(tx)) as never);
        return value;
      },
    });
  return { engine: new PostgresSearchEngine(record(db) as PrismaClient), statements };
}

const WEBHOOK_THREADS: ThreadDocuments[] = Array.from({ length: 7 }, (_, i) =>
  thread({
    id: `wh-${i}`,
    title: `Webhook question number ${i}`,
    category: i % 2 ? "community" : "pro",
    tags: i % 3 ? ["webhooks"] : ["webhooks", "upgrade"],
    accepted: i % 2 ? 1 : undefined,
    posts: [
      { body: `Webhook deliveries fail in setup ${i}.`, author: `asker${i % 3}` },
      { body: "Check the signing secret.", author: "grace" },
    ],
  }),
);
const SECRET = thread({
  id: "wh-secret",
  title: "Webhook refund for a private ticket",
  visibility: "maintainers",
  posts: [{ body: "Private: card ending 4242, webhook retries charged twice." }],
});

const isFullSearch = (sql: string) => sql.includes("count(*) from m");
const isTypoLookup = (sql: string) => sql.includes('from "SearchTerm"');
const isPageTurn = (sql: string) => sql.includes("with ordinality");

describe("PostgreSQL search: the per-query cache", () => {
  beforeAll(async () => {
    const writer = new PostgresSearchEngine(db);
    await writer.prepare();
    await writer.apply([...WEBHOOK_THREADS, SECRET]);
  });

  it("turns to page 2 reading only the hits, with the same total and facets", async () => {
    const { engine, statements } = recordingEngine();
    const first = await engine.search({ q: "webhok", perPage: 3 });
    expect(statements.filter(isFullSearch)).toHaveLength(1);
    expect(statements.filter(isTypoLookup)).toHaveLength(1);

    statements.length = 0;
    const second = await engine.search({ q: "webhok", perPage: 3, page: 2 });
    expect(statements.filter(isFullSearch)).toHaveLength(0);
    expect(statements.filter(isTypoLookup)).toHaveLength(0);
    expect(statements.filter(isPageTurn)).toHaveLength(1);
    // Not even the index state is read first: the page turn's own statement checks it.
    expect(statements).toHaveLength(1);
    expect(second.total).toBe(first.total);
    expect(second.facets).toEqual(first.facets);

    // What an engine without the cache answers for page 2.
    const fresh = await new PostgresSearchEngine(db).search({ q: "webhok", perPage: 3, page: 2 });
    expect(second.hits).toEqual(fresh.hits);
    expect(second.hits.map((h) => h.titleHtml).join(" ")).toContain("<mark>Webhook</mark>");
    expect(new Set([...threadIds(first.hits), ...threadIds(second.hits)]).size).toBe(6);
  });

  it("answers any page size and the last page from the ranked ids", async () => {
    const { engine, statements } = recordingEngine();
    const all = await engine.search({ q: "webhook", perPage: 50 });
    statements.length = 0;
    const last = await engine.search({ q: "webhook", perPage: 4, page: 2 });
    const beyond = await engine.search({ q: "webhook", perPage: 4, page: 9 });
    expect(statements.filter(isFullSearch)).toHaveLength(0);
    expect(threadIds(last.hits)).toEqual(threadIds(all.hits).slice(4, 8));
    expect(beyond).toMatchObject({ hits: [], total: all.total });
  });

  it("keys on the filters and the sort, sharing the typo expansions", async () => {
    const { engine, statements } = recordingEngine();
    const everything = await engine.search({ q: "webhook" });
    const community = await engine.search({ q: "webhook", filters: { category: "community" } });
    const newest = await engine.search({ q: "webhook", sort: "newest" });
    expect(statements.filter(isFullSearch)).toHaveLength(3);
    // The words' typo expansions are looked up once for all three.
    expect(statements.filter(isTypoLookup)).toHaveLength(1);
    expect(community.total).toBeLessThan(everything.total);
    expect(community.facets.category).toEqual([{ value: "community", count: community.total }]);
    expect(new Set(threadIds(newest.hits))).toEqual(new Set(threadIds(everything.hits)));
  });

  it("reads the index again after a write, even one made by another server's engine", async () => {
    const { engine, statements } = recordingEngine();
    const before = await engine.search({ q: "webhook", perPage: 2 });
    const added = thread({
      id: "wh-new",
      title: "Webhook timeout on the new release",
      posts: [{ body: "It times out.", author: "newcomer" }],
    });
    // Another engine instance: what a second app server sharing the database would do.
    await new PostgresSearchEngine(db).apply([added]);

    statements.length = 0;
    const after = await engine.search({ q: "webhook", perPage: 2, page: 2 });
    expect(statements.filter(isFullSearch)).toHaveLength(1);
    expect(after.total).toBe(before.total + 1);
    expect(after.facets.author).toContainEqual({ value: "newcomer", count: 1 });

    await engine.apply([{ threadId: "wh-new", documents: [] }]);
    const removed = await engine.search({ q: "webhook", perPage: 50 });
    expect(removed.total).toBe(before.total);
    expect(threadIds(removed.hits)).not.toContain("wh-new");
  });

  it("never answers a public search from a cached private one, nor the reverse", async () => {
    const { engine } = recordingEngine();
    const query = (visibility: SearchQuery["visibility"]) => engine.search({ q: "webhook", perPage: 50, visibility });
    const maintainers = await query(["public", "maintainers"]);
    expect(threadIds(maintainers.hits)).toContain("wh-secret");
    const visitor = await query(["public"]);
    expect(threadIds(visitor.hits)).not.toContain("wh-secret");
    expect(visitor.total).toBe(maintainers.total - 1);
    expect(JSON.stringify(visitor)).not.toContain("4242");
    expect(threadIds((await query(["maintainers", "public"])).hits)).toContain("wh-secret");
  });
});

describe("QueryCache", () => {
  const entry = (ids: number): CachedQuery => ({
    groups: [],
    total: ids,
    facets: { category: [], tag: [], solved: [], author: [] },
    ids: Array.from({ length: ids }, (_, i) => `t${i}`),
  });
  const index = { generation: 1, writes: 1 };
  const key = (cache: QueryCache, word: string) => cache.key(index, [{ word, prefix: false }], {}, ["public"], "relevance");

  it("holds at most the ids it was given room for, dropping the least recently used", () => {
    const cache = new QueryCache(25);
    cache.set(index, key(cache, "a"), entry(10));
    cache.set(index, key(cache, "b"), entry(10));
    expect(cache.get(index, key(cache, "a"))).toBeDefined();
    cache.set(index, key(cache, "c"), entry(10));
    expect(cache.get(index, key(cache, "b"))).toBeUndefined();
    expect(cache.get(index, key(cache, "a"))?.total).toBe(10);
    expect(cache.get(index, key(cache, "c"))?.total).toBe(10);
    cache.set(index, key(cache, "huge"), entry(100));
    expect(cache.get(index, key(cache, "huge"))).toBeUndefined();
  });

  it("frees every entry when the index state moves", () => {
    const cache = new QueryCache();
    cache.set(index, key(cache, "a"), entry(3));
    const moved = { generation: 1, writes: 2 };
    expect(cache.get(moved, cache.key(moved, [{ word: "a", prefix: false }], {}, ["public"], "relevance"))).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it("keeps the newer state's entries when a search that began before a write finishes after it", async () => {
    const cache = new QueryCache();
    const newer = { generation: 1, writes: 2 };
    const keyIn = (state: typeof index, word: string) => cache.key(state, [{ word, prefix: false }], {}, ["public"], "relevance");
    cache.set(newer, keyIn(newer, "a"), entry(3));
    // The late search read the older state: its entry is not kept, and the newer ones stay.
    cache.set(index, keyIn(index, "b"), entry(3));
    expect(cache.get(index, keyIn(index, "b"))).toBeUndefined();
    expect(cache.get(newer, keyIn(newer, "a"))?.total).toBe(3);
    expect(cache.current).toEqual(newer);
    // Nor are its typo expansions.
    let expanded = 0;
    const expand = async () => (expanded++, []);
    await cache.expansion(index, [{ word: "b", prefix: false }], expand);
    await cache.expansion(index, [{ word: "b", prefix: false }], expand);
    expect(expanded).toBe(2);
    expect(cache.size).toBe(1);
    // A rebuild's generation moves it on, whatever the write count.
    const rebuilt = { generation: 2, writes: 2 };
    expect(cache.get(rebuilt, keyIn(rebuilt, "a"))).toBeUndefined();
    expect(cache.current).toEqual(rebuilt);
    expect(cache.size).toBe(0);
  });
});
