import type { PrismaClient } from "~/generated/prisma/client";
import {
  emptyFacets,
  SearchEngineError,
  type IndexBuilder,
  type SearchEngine,
  type SearchQuery,
  type SearchResult,
  type SearchSort,
  type SimilarQuery,
  type SimilarThread,
  type ThreadDocuments,
  type Visibility,
} from "./engine";
import { anyOf, atLeast, matcherFor, Params, rankSql, whereSql, type Sql } from "./postgres-query";
import { QueryCache, type CachedQuery, type IndexState } from "./postgres-query-cache";
import { expand, pageHits, searchPage, toHit, type HitRow } from "./postgres-search.server";
import { rebuildVocabulary, writeThreads } from "./postgres-write.server";
import { normalizeQuery, queryWords } from "./query";
import { DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_TOTAL_HITS, POSTS_INDEX_NAME } from "./settings";

// PostgreSQL full-text search as the embedded engine (D4, ADR 013). Two
// tables written together: SearchThread (one row per thread, with a weighted
// tsvector under GIN: title A, tags and accepted answer B, question C, other
// replies D) is what queries match, rank, count and facet; SearchDocument
// (one row per post) says which post a hit shows and supplies its text.
// Ranking follows the rules in settings.ts: words matched, typos, title,
// solved, then ts_rank. Typo tolerance expands query words to neighbours in
// SearchTerm found with pg_trgm and checked with Meilisearch's typo distance.
// search/tokenize.ts cuts words on every side (index, query, highlight). Runs
// unchanged on PGlite and on a PostgreSQL server. Statements are built in
// postgres-query.ts, read in postgres-search.server.ts and written in
// postgres-write.server.ts.

// Low on purpose: trigram similarity only proposes candidates (a swap in a
// five-letter word scores 0.2), typoCount decides.
const TRIGRAM_THRESHOLD = "0.2";
// PGlite has no autovacuum: statistics and dead rows are looked after here.
const MAINTAIN_AFTER_WRITES = 5000;
// New index entries wait in the GIN pending list (still searched, scanned linearly) and are merged
// into the index in batches: merging after every one-reply write cost about 10 ms each time on PGlite.
const MERGE_PENDING_AFTER_THREADS = 50;
const MERGE_PENDING_AFTER_MS = 2000;

export class PostgresSearchEngine implements SearchEngine {
  readonly name = "postgres" as const;
  // One index per database: private content shares it, kept apart by `visibility`.
  private readonly indexName = POSTS_INDEX_NAME;
  private writesSinceMaintenance = 0;
  private threadsSinceMerge = 0;
  private lastMerge = 0;
  private readonly queries = new QueryCache();

  constructor(private readonly db: PrismaClient) {}

  async prepare() {
    await this.run("prepare", () =>
      this.db.$executeRawUnsafe(
        `insert into "SearchIndexState" (name, live, "updatedAt") values ($1, 1, now()) on conflict (name) do nothing`,
        this.indexName,
      ),
    );
  }

  async apply(threads: ThreadDocuments[]) {
    if (!threads.length) return;
    await this.run("apply", () =>
      this.db.$transaction(async (tx) => {
        // The row lock keeps a reindex from swapping generations under a write in flight. The write
        // count moves in the same transaction as the write, so a reader that sees the new count sees
        // the new documents, and cached queries of the old count are never read again (ADR 044).
        const [state] = await tx.$queryRawUnsafe<{ live: number }[]>(
          `update "SearchIndexState" set writes = writes + 1 where name = $1 returning live`,
          this.indexName,
        );
        let generation = state?.live;
        if (generation === undefined) {
          await tx.$executeRawUnsafe(
            `insert into "SearchIndexState" (name, live, "updatedAt") values ($1, 1, now()) on conflict (name) do nothing`,
            this.indexName,
          );
          generation = 1;
        }
        await writeThreads(tx, generation, threads);
      }),
    );
    await this.maintain(
      threads.length,
      threads.reduce((n, t) => n + t.documents.length + 1, 0),
    );
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const q = normalizeQuery(query.q);
    const filters = query.filters ?? {};
    const visibility = query.visibility?.length ? query.visibility : (["public"] as Visibility[]);
    const perPage = Math.min(Math.max(1, Math.trunc(query.perPage ?? DEFAULT_PER_PAGE)), MAX_PER_PAGE);
    const page = Math.max(1, Math.trunc(query.page ?? 1));
    const empty: SearchResult = { hits: [], total: 0, page, perPage, facets: emptyFacets() };
    const offset = (page - 1) * perPage;
    if (offset + perPage > MAX_TOTAL_HITS) return empty;
    const words = queryWords(q);
    const hasFilters = Object.values(filters).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0));
    if (!words.length && !hasFilters) return empty;
    const sort: SearchSort = words.length ? (query.sort ?? "relevance") : "newest";

    // A page turn (or another page size) of a query already answered: one statement reads only its hits, and
    // only if the index has not moved since; otherwise the search runs whole.
    const known = this.queries.current;
    const cached = known && this.queries.get(known, this.queries.key(known, words, filters, visibility, sort));
    if (known && cached) {
      const ids = cached.ids.slice(offset, offset + perPage);
      const rows = await this.run("search", () => pageHits(this.db, this.indexName, known, cached.groups, visibility, ids));
      if (rows) return this.result(rows, cached, page, perPage);
    }

    return this.run("search", () =>
      this.db.$transaction(async (tx) => {
        const index = await this.begin(tx);
        if (!index) return empty;
        const key = this.queries.key(index, words, filters, visibility, sort);
        const groups = await this.queries.expansion(index, words, () => expand(tx, words));
        // Like Meilisearch's "last" matching strategy: all words must match;
        // when nothing does, the last words are dropped one at a time.
        let required = groups.length;
        let row = await searchPage(tx, index.generation, groups, required, filters, visibility, sort, perPage, offset);
        while (row.total === 0 && required > 1) {
          required -= 1;
          row = await searchPage(tx, index.generation, groups, required, filters, visibility, sort, perPage, offset);
        }
        const entry: CachedQuery = {
          groups,
          total: row.total,
          facets: { category: row.category, tag: row.tag, solved: row.solved, author: row.author },
          ids: row.ids,
        };
        this.queries.set(index, key, entry);
        return this.result(row.hits, entry, page, perPage);
      }),
    );
  }

  private result(rows: HitRow[], query: CachedQuery, page: number, perPage: number): SearchResult {
    const matcher = matcherFor(query.groups);
    return { hits: rows.map((h) => toHit(h, matcher)), total: query.total, page, perPage, facets: query.facets };
  }

  async similar(query: SimilarQuery): Promise<SimilarThread[]> {
    const words = queryWords(normalizeQuery(query.title));
    if (!words.length) return [];
    const limit = Math.min(Math.max(1, query.limit ?? 10), 50);
    const visibility = query.visibility?.length ? query.visibility : (["public"] as Visibility[]);
    return this.run("similar", () =>
      this.db.$transaction(async (tx) => {
        const index = await this.begin(tx);
        if (!index) return [];
        const generation = index.generation;
        const groups = await expand(tx, words);
        const p = new Params();
        const where = whereSql(p, generation, {}, visibility);
        // Titles only: a small index, and what a draft title is compared with.
        // A draft title shares most of its words with a thread worth showing.
        const needed = Math.ceil(groups.length / 2);
        where.push(`t."titleTsv" @@ ${p.add(atLeast(groups, needed), "::tsquery")}`);
        if (query.excludeThreadId) where.push(`t.id <> ${p.add(query.excludeThreadId)}`);
        const matched = groups.map((g) => `(t."titleTsv" @@ ${p.add(anyOf(g.alternatives), "::tsquery")})::int`).join(" + ");
        const rank = rankSql(p, [], groups, `t."titleTsv"`);
        const minimum = p.add(needed);
        return tx.$queryRawUnsafe<SimilarThread[]>(
          `select id as "threadId", title, solved, "categorySlug" from (
             select t.id, t.title, t.solved, t."categorySlug", t."lastPostAt", ${matched} as matched, ${rank} as rank
             from "SearchThread" t where ${where.join(" and ")}
           ) m
           where matched >= ${minimum}
           order by rank desc, "lastPostAt" desc, id
           limit ${p.add(limit)}`,
          ...p.values,
        );
      }),
    );
  }

  async count(): Promise<number> {
    const [row] = await this.run("count", () =>
      this.db.$queryRawUnsafe<{ n: number }[]>(
        `select count(*)::int as n from "SearchDocument" d
         where d.generation = (select live from "SearchIndexState" where name = $1)`,
        this.indexName,
      ),
    );
    return row?.n ?? 0;
  }

  async rebuild(): Promise<IndexBuilder> {
    await this.prepare();
    const indexName = this.indexName;
    const generation = await this.run("reindex", () =>
      this.db.$transaction(async (tx) => {
        const [state] = await tx.$queryRawUnsafe<{ live: number }[]>(
          `select live from "SearchIndexState" where name = $1 for update`,
          indexName,
        );
        const [{ top }] = await tx.$queryRawUnsafe<{ top: number }[]>(
          `select greatest((select max(generation) from "SearchDocument"), (select max(generation) from "SearchThread"), 0)::int as top`,
        );
        const next = Math.max(state!.live, top) + 1;
        await tx.$executeRawUnsafe(`update "SearchIndexState" set building = $2, "updatedAt" = now() where name = $1`, indexName, next);
        // Leftovers of an interrupted reindex.
        for (const table of ["SearchDocument", "SearchThread"]) {
          await tx.$executeRawUnsafe(`delete from "${table}" where generation <> $1 and generation <> $2`, state!.live, next);
        }
        return next;
      }),
    );
    const db = this.db;
    return {
      add: (threads) => this.run("reindex", () => writeThreads(db, generation, threads)),
      commit: () =>
        this.run("reindex", async () => {
          await db.$transaction(async (tx) => {
            const [state] = await tx.$queryRawUnsafe<{ building: number | null }[]>(
              `select building from "SearchIndexState" where name = $1 for update`,
              indexName,
            );
            if (state?.building !== generation) throw new SearchEngineError("Another reindex replaced this one; nothing was swapped.");
            await tx.$executeRawUnsafe(
              `update "SearchIndexState" set live = $2, building = null, "rebuiltAt" = now(), "updatedAt" = now() where name = $1`,
              indexName,
              generation,
            );
            await rebuildVocabulary(tx, generation);
          });
          for (const table of ["SearchDocument", "SearchThread"]) {
            await db.$executeRawUnsafe(`delete from "${table}" where generation <> $1`, generation);
          }
          await this.maintain(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
        }),
      abort: () =>
        this.run("reindex", async () => {
          await db.$executeRawUnsafe(
            `update "SearchIndexState" set building = null, "updatedAt" = now() where name = $1 and building = $2`,
            indexName,
            generation,
          );
          for (const table of ["SearchDocument", "SearchThread"]) {
            await db.$executeRawUnsafe(`delete from "${table}" where generation = $1`, generation);
          }
        }),
    };
  }

  async close() {}

  /** Starts a read: typo lookups may use trigram similarity; returns the live generation and its write count. */
  private async begin(tx: Sql): Promise<IndexState | null> {
    // The index is hot in memory (always so on PGlite): random reads cost
    // about what sequential ones do, which steers the planner to the GIN index.
    const [row] = await tx.$queryRawUnsafe<{ live: number | null; writes: number | null }[]>(
      `select set_config('pg_trgm.similarity_threshold', $2, true) as threshold,
         set_config('random_page_cost', '1.1', true) as random_page_cost,
         s.live, s.writes
       from (select 1) one left join "SearchIndexState" s on s.name = $1`,
      this.indexName,
      TRIGRAM_THRESHOLD,
    );
    return row?.live == null ? null : { generation: row.live, writes: row.writes ?? 0 };
  }

  /** Statistics, the GIN pending list and dead rows, which nothing else maintains on PGlite. */
  private async maintain(threads: number, written: number) {
    try {
      this.threadsSinceMerge += threads;
      if (this.threadsSinceMerge >= MERGE_PENDING_AFTER_THREADS || Date.now() - this.lastMerge >= MERGE_PENDING_AFTER_MS) {
        await this.db.$queryRawUnsafe(
          `select gin_clean_pending_list('"SearchThread_tsv_idx"'::regclass)::int as a,
             gin_clean_pending_list('"SearchThread_titleTsv_idx"'::regclass)::int as b`,
        );
        this.threadsSinceMerge = 0;
        this.lastMerge = Date.now();
      }
      this.writesSinceMaintenance += written;
      if (this.writesSinceMaintenance >= MAINTAIN_AFTER_WRITES) {
        this.writesSinceMaintenance = 0;
        await this.db.$executeRawUnsafe(`vacuum (analyze) "SearchThread"`);
        await this.db.$executeRawUnsafe(`vacuum (analyze) "SearchDocument"`);
        await this.db.$executeRawUnsafe(`analyze "SearchTerm"`);
      }
    } catch {
      // Housekeeping only (it needs table ownership); the write itself succeeded.
    }
  }

  /** Every failure leaves as a SearchEngineError naming the operation, never with query text. */
  private async run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof SearchEngineError) throw error;
      throw new SearchEngineError(`PostgreSQL search ${operation} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}
