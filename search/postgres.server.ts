import type { PrismaClient } from "~/generated/prisma/client";
import {
  emptyFacets,
  SearchEngineError,
  type FacetValue,
  type IndexBuilder,
  type SearchDocument,
  type SearchEngine,
  type SearchFilters,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
  type SearchSort,
  type SimilarQuery,
  type SimilarThread,
  type ThreadDocuments,
  type Visibility,
} from "./engine";
import { escapeHtml, markAll, markExcerpt, markedToHtml, type Matcher } from "./highlight";
import { allowedTypos, normalizeQuery, queryWords, typoCount, type QueryWord } from "./query";
import {
  DEFAULT_PER_PAGE,
  FACET_LIMITS,
  MAX_PER_PAGE,
  MAX_TOTAL_HITS,
  POSTS_INDEX_NAME,
} from "./settings";
import { tokenize, tsvectorLiteral } from "./tokenize";

// PostgreSQL full-text search as the embedded engine (D4, ADR 013). Two
// tables written together: SearchThread (one row per thread, with a weighted
// tsvector under GIN: title A, tags and accepted answer B, question C, other
// replies D) is what queries match, rank, count and facet; SearchDocument
// (one row per post) says which post a hit shows and supplies its text.
// Ranking follows the rules in settings.ts: words matched, typos, title,
// solved, then ts_rank. Typo tolerance expands query words to neighbours in
// SearchTerm found with pg_trgm and checked with Meilisearch's typo distance.
// search/tokenize.ts cuts words on every side (index, query, highlight). Runs
// unchanged on PGlite and on a PostgreSQL server.

type Sql = Pick<PrismaClient, "$queryRawUnsafe" | "$executeRawUnsafe">;

/** One way a query word may appear in a document. */
type Alternative = { lexeme: string; prefix: boolean; typos: 0 | 1 | 2 };
/** A query word and everything it may match. */
type Group = { word: string; alternatives: Alternative[] };

const WRITE_CHUNK = 500;
const MAX_TYPO_VARIANTS = 6;
// Low on purpose: trigram similarity only proposes candidates (a swap in a
// five-letter word scores 0.2), typoCount decides.
const TRIGRAM_THRESHOLD = "0.2";
// PGlite has no autovacuum: statistics and dead rows are looked after here.
const MAINTAIN_AFTER_WRITES = 5000;
// New index entries wait in the GIN pending list (still searched, scanned linearly) and are merged
// into the index in batches: merging after every one-reply write cost about 10 ms each time on PGlite.
const MERGE_PENDING_AFTER_THREADS = 50;
const MERGE_PENDING_AFTER_MS = 2000;

const quoteLexeme = (lexeme: string) => `'${lexeme.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
const term = (a: Alternative) => `${quoteLexeme(a.lexeme)}${a.prefix ? ":*" : ""}`;
const anyOf = (alts: Alternative[]) => `(${alts.map(term).join(" | ")})`;
const allOf = (groups: Group[]) => groups.map((g) => anyOf(g.alternatives)).join(" & ");

/**
 * A tsquery matching documents with at least `needed` of the groups, so the
 * GIN index skips the rest (an OR of every word would hand over thousands of
 * titles sharing one common word). Too many combinations: any word, and the
 * caller's count filters.
 */
function atLeast(groups: Group[], needed: number): string {
  const combos: Group[][] = [];
  const pick = (start: number, chosen: Group[]) => {
    if (combos.length > 40) return;
    if (chosen.length === needed) return void combos.push(chosen);
    for (let i = start; i < groups.length; i++) pick(i + 1, [...chosen, groups[i]!]);
  };
  pick(0, []);
  if (needed <= 1 || combos.length > 40) return groups.map((g) => anyOf(g.alternatives)).join(" | ");
  return combos.map((c) => `(${allOf(c)})`).join(" | ");
}

/** Positional parameters for one statement. */
class Params {
  values: unknown[] = [];
  add(value: unknown, cast = ""): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }
}

/** Conditions on SearchThread rows (alias t). */
function whereSql(p: Params, generation: number, filters: SearchFilters, visibility: Visibility[]): string[] {
  const where = [`t.generation = ${p.add(generation)}`, `t.visibility = any(${p.add(visibility, "::text[]")})`];
  // Meilisearch's equality ignores case; slugs and tags are stored in lower case, so lowering the value is the same.
  if (filters.category) where.push(`t."categorySlug" = ${p.add(filters.category.toLowerCase())}`);
  if (filters.tags?.length) where.push(`t.tags @> ${p.add(filters.tags.map((t) => t.toLowerCase()), "::text[]")}`);
  if (filters.solved !== undefined) where.push(`t.solved = ${p.add(filters.solved)}`);
  if (filters.author) where.push(`exists (select 1 from unnest(t.authors) as a where lower(a) = lower(${p.add(filters.author)}))`);
  // A thread counts for a period when it was active in it.
  if (filters.from) where.push(`t."lastPostAt" >= ${p.add(filters.from.toISOString())}::timestamptz at time zone 'UTC'`);
  if (filters.to) where.push(`t."createdAt" < ${p.add(filters.to.toISOString())}::timestamptz at time zone 'UTC'`);
  return where;
}

/**
 * One number ordering threads like the ranking rules in settings.ts: words
 * matched, then fewer typos, then words in the title, then solved threads,
 * then ts_rank (where the accepted answer weighs more than other replies).
 * `optional` words count when present.
 */
function rankSql(p: Params, required: Group[], optional: Group[], column = "t.tsv"): string {
  const all = [...required, ...optional];
  if (!all.length) return "0::float8";
  const matched = optional.length
    ? optional.map((g) => `(${column} @@ ${p.add(anyOf(g.alternatives), "::tsquery")})::int`).join(" + ")
    : "0";
  const typoGroups = all.filter((g) => g.alternatives.some((a) => a.typos > 0));
  const typos = typoGroups.length
    ? typoGroups
        .map((g) => {
          const exact = g.alternatives.filter((a) => a.typos === 0);
          const one = g.alternatives.filter((a) => a.typos <= 1);
          const branches = [`when ${column} @@ ${p.add(anyOf(exact), "::tsquery")} then 0`];
          if (one.length > exact.length) branches.push(`when ${column} @@ ${p.add(anyOf(one), "::tsquery")} then 1`);
          if (g.alternatives.length > one.length) branches.push(`when ${column} @@ ${p.add(anyOf(g.alternatives), "::tsquery")} then 2`);
          return `(case ${branches.join(" ")} else 0 end)`;
        })
        .join(" + ")
    : "0";
  // The small title vector answers "is it in the title?" without reading the big one.
  const title = all.map((g) => `(t."titleTsv" @@ ${p.add(anyOf(g.alternatives), "::tsquery")})::int`).join(" + ");
  const everything = p.add(all.map((g) => anyOf(g.alternatives)).join(" | "), "::tsquery");
  return `((${matched})::float8 * 1e8 + (99 - (${typos}))::float8 * 1e6 + (${title})::float8 * 1e4
    + t.solved::int::float8 * 1e3 + least(ts_rank('{0.1, 0.3, 0.5, 1.0}', ${column}, ${everything})::float8, 0.99) * 100)`;
}

const orderSql = (sort: SearchSort, alias: string) =>
  sort === "newest" ? `${alias}."lastPostAt" desc, ${alias}.id` : `${alias}.rank desc, ${alias}."lastPostAt" desc, ${alias}.id`;

type HitRow = Omit<SearchDocument, "postId" | "visibility">;
type SearchRow = { total: number; category: FacetValue[]; tag: FacetValue[]; solved: FacetValue[]; author: FacetValue[]; hits: HitRow[] };

const facetJson = (sql: string) =>
  `(select coalesce(json_agg(json_build_object('value', v, 'count', n)), '[]'::json) from (${sql}) f)`;

export class PostgresSearchEngine implements SearchEngine {
  readonly name = "postgres" as const;
  // One index per database: private content shares it, kept apart by `visibility`.
  private readonly indexName = POSTS_INDEX_NAME;
  private writesSinceMaintenance = 0;
  private threadsSinceMerge = 0;
  private lastMerge = 0;

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
        // Shared lock: a reindex cannot swap generations under a write in flight.
        const [state] = await tx.$queryRawUnsafe<{ live: number }[]>(
          `select live from "SearchIndexState" where name = $1 for share`,
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
    await this.maintain(threads.length, threads.reduce((n, t) => n + t.documents.length + 1, 0));
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

    return this.run("search", () =>
      this.db.$transaction(async (tx) => {
        const generation = await this.begin(tx);
        if (generation === null) return empty;
        const groups = await expand(tx, words);
        // Like Meilisearch's "last" matching strategy: all words must match;
        // when nothing does, the last words are dropped one at a time.
        let required = groups.length;
        let row = await this.searchRow(tx, generation, groups, required, filters, visibility, sort, perPage, offset);
        while (row.total === 0 && required > 1) {
          required -= 1;
          row = await this.searchRow(tx, generation, groups, required, filters, visibility, sort, perPage, offset);
        }
        const matcher = matcherFor(groups);
        return {
          hits: row.hits.map((h) => toHit(h, matcher)),
          total: row.total,
          page,
          perPage,
          facets: { category: row.category, tag: row.tag, solved: row.solved, author: row.author },
        };
      }),
    );
  }

  async similar(query: SimilarQuery): Promise<SimilarThread[]> {
    const words = queryWords(normalizeQuery(query.title));
    if (!words.length) return [];
    const limit = Math.min(Math.max(1, query.limit ?? 10), 50);
    const visibility = query.visibility?.length ? query.visibility : (["public"] as Visibility[]);
    return this.run("similar", () =>
      this.db.$transaction(async (tx) => {
        const generation = await this.begin(tx);
        if (generation === null) return [];
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

  /** Starts a read: typo lookups may use trigram similarity; returns the live generation. */
  private async begin(tx: Sql): Promise<number | null> {
    // The index is hot in memory (always so on PGlite): random reads cost
    // about what sequential ones do, which steers the planner to the GIN index.
    const [row] = await tx.$queryRawUnsafe<{ live: number | null }[]>(
      `select set_config('pg_trgm.similarity_threshold', $2, true) as threshold,
         set_config('random_page_cost', '1.1', true) as random_page_cost,
         (select live from "SearchIndexState" where name = $1) as live`,
      this.indexName,
      TRIGRAM_THRESHOLD,
    );
    return row?.live ?? null;
  }

  private async searchRow(
    tx: Sql,
    generation: number,
    groups: Group[],
    required: number,
    filters: SearchFilters,
    visibility: Visibility[],
    sort: SearchSort,
    limit: number,
    offset: number,
  ): Promise<SearchRow> {
    const p = new Params();
    const where = whereSql(p, generation, filters, visibility);
    const must = groups.slice(0, required);
    if (must.length) where.push(`t.tsv @@ ${p.add(allOf(must), "::tsquery")}`);
    const rank = rankSql(p, must, groups.slice(required));
    const gen = p.add(generation);
    const visible = p.add(visibility, "::text[]");
    // The post a hit shows: the one matching most words, the accepted answer first, else the question.
    const postOrder = [
      ...(groups.length ? [`(${groups.map((g) => `(d.tsv @@ ${p.add(anyOf(g.alternatives), "::tsquery")})::int`).join(" + ")}) desc`] : []),
      `d."isAccepted" desc`,
      `d."postNumber"`,
    ].join(", ");
    const anyWord = groups.length ? `d.tsv @@ ${p.add(groups.map((g) => anyOf(g.alternatives)).join(" | "), "::tsquery")} or ` : "";
    const [row] = await tx.$queryRawUnsafe<SearchRow[]>(
      `with m as materialized (
         select t.id, t."categorySlug", t.tags, t.solved, t.authors, t."lastPostAt", ${rank} as rank
         from "SearchThread" t where ${where.join(" and ")}
       ),
       page as (select id, rank, "lastPostAt" from m order by ${orderSql(sort, "m")} limit ${p.add(limit)} offset ${p.add(offset)})
       select
         (select count(*) from m)::int as total,
         ${facetJson(`select "categorySlug" as v, count(*)::int as n from m group by 1 order by 2 desc, 1 limit ${FACET_LIMITS.category}`)} as category,
         ${facetJson(`select v, count(*)::int as n from (select unnest(tags) as v from m) x group by 1 order by 2 desc, 1 limit ${FACET_LIMITS.tag}`)} as tag,
         ${facetJson(`select solved::text as v, count(*)::int as n from m group by 1 order by 2 desc, 1`)} as solved,
         ${facetJson(`select v, count(*)::int as n from (select unnest(authors) as v from m) x group by 1 order by 2 desc, 1 limit ${FACET_LIMITS.author}`)} as author,
         (select coalesce(json_agg(json_build_object(
             'id', d.id, 'threadId', d."threadId", 'postNumber', d."postNumber", 'title', d.title, 'body', d.body,
             'categorySlug', d."categorySlug", 'categoryName', d."categoryName", 'tags', d.tags, 'solved', d.solved,
             'isAccepted', d."isAccepted", 'authorUsername', d."authorUsername",
             'createdAt', (extract(epoch from (d."createdAt" at time zone 'UTC')) * 1000)::float8
           ) order by ${orderSql(sort, "pg")}), '[]'::json)
          from page pg
          cross join lateral (
            select d.* from "SearchDocument" d
            where d.generation = ${gen} and d."threadId" = pg.id and d.visibility = any(${visible})
              and (${anyWord}d."postNumber" = 0 or d."isAccepted")
            order by ${postOrder}
            limit 1
          ) d) as hits`,
      ...p.values,
    );
    return row!;
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

/** Adds typo variants found in the vocabulary to every word long enough for typos. */
async function expand(tx: Sql, words: QueryWord[]): Promise<Group[]> {
  const groups: Group[] = words.map((w) => ({ word: w.word, alternatives: [{ lexeme: w.word, prefix: w.prefix, typos: 0 }] }));
  const fuzzy = groups.filter((g) => allowedTypos(g.word) > 0 && g.word.length <= 40);
  if (!fuzzy.length) return groups;
  const candidates = await tx.$queryRawUnsafe<{ query: string; word: string }[]>(
    `select q.word as query, t.word
     from unnest($1::text[]) as q(word)
     cross join lateral (
       select s.word from "SearchTerm" s
       where s.word % q.word and s.word <> q.word
         and char_length(s.word) between char_length(q.word) - 2 and char_length(q.word) + 2
       order by similarity(s.word, q.word) desc, s.word
       limit 40
     ) t`,
    fuzzy.map((g) => g.word),
  );
  for (const g of fuzzy) {
    const max = allowedTypos(g.word);
    const prefix = g.alternatives[0]!.prefix ? g.word : null;
    const variants = candidates
      // A prefix already finds these, as exact matches.
      .filter((c) => c.query === g.word && !(prefix && c.word.startsWith(prefix)))
      .map((c) => ({ lexeme: c.word, distance: typoCount(g.word, c.word, max) }))
      .filter((c) => c.distance <= max)
      .sort((a, b) => a.distance - b.distance)
      .slice(0, MAX_TYPO_VARIANTS);
    for (const v of variants) g.alternatives.push({ lexeme: v.lexeme, prefix: false, typos: v.distance as 1 | 2 });
  }
  return groups;
}

function matcherFor(groups: Group[]): Matcher {
  const alternatives = groups.flatMap((g) => g.alternatives);
  return {
    words: new Set(alternatives.filter((a) => !a.prefix).map((a) => a.lexeme)),
    prefixes: alternatives.filter((a) => a.prefix).map((a) => a.lexeme),
  };
}

function toHit(r: HitRow, matcher: Matcher): SearchHit {
  const searched = matcher.words.size > 0 || matcher.prefixes.length > 0;
  return {
    threadId: r.threadId,
    postId: r.id,
    postNumber: r.postNumber,
    title: r.title,
    titleHtml: searched ? markedToHtml(markAll(r.title, matcher)) : escapeHtml(r.title),
    snippetHtml: markedToHtml(markExcerpt(r.body, matcher)),
    categorySlug: r.categorySlug,
    categoryName: r.categoryName,
    tags: r.tags ?? [],
    solved: r.solved,
    isAccepted: r.isAccepted,
    authorUsername: r.authorUsername,
    createdAt: Math.round(Number(r.createdAt)),
  };
}

/** Makes generation `generation` hold exactly these threads' documents, in both tables. */
async function writeThreads(sql: Sql, generation: number, threads: ThreadDocuments[]) {
  for (let i = 0; i < threads.length; ) {
    // Chunks of about WRITE_CHUNK posts, never splitting a thread.
    const chunk: ThreadDocuments[] = [];
    let posts = 0;
    while (i < threads.length && (chunk.length === 0 || posts + threads[i]!.documents.length <= WRITE_CHUNK)) {
      posts += threads[i]!.documents.length;
      chunk.push(threads[i++]!);
    }
    await writeChunk(sql, generation, chunk);
  }
}

const cap = (text: string, max = 50_000) => (text.length > max ? text.slice(0, max) : text);

function threadRow(t: ThreadDocuments) {
  const docs = t.documents;
  const first = docs.reduce((a, b) => (b.postNumber < a.postNumber ? b : a));
  const question = docs.filter((d) => d.postNumber === first.postNumber).map((d) => d.body);
  const accepted = docs.filter((d) => d.isAccepted).map((d) => d.body);
  const others = docs.filter((d) => d.postNumber !== first.postNumber && !d.isAccepted).map((d) => d.body);
  return {
    id: t.threadId,
    title: first.title,
    categorySlug: first.categorySlug,
    tags: first.tags,
    solved: first.solved,
    authors: [...new Set(docs.map((d) => d.authorUsername))],
    // Every document of a thread has the same visibility (search/documents.server.ts).
    visibility: first.visibility,
    createdAt: Math.min(...docs.map((d) => d.createdAt)),
    lastPostAt: Math.max(...docs.map((d) => d.createdAt)),
    tsv: tsvectorLiteral([
      [first.title, "A"],
      [`${first.tags.join(" ")} ${cap(accepted.join("\n"))}`, "B"],
      [cap(question.join("\n")), "C"],
      [cap(others.join("\n")), "D"],
    ]),
    titleTsv: tsvectorLiteral([[first.title, "A"]]),
  };
}

async function writeChunk(sql: Sql, generation: number, threads: ThreadDocuments[]) {
  const documents = threads.flatMap((t) => t.documents);
  const kept = threads.filter((t) => t.documents.length);
  const vocabulary = new Set<string>();
  const posts = documents.map((d) => {
    if (d.visibility === "public") {
      for (const token of tokenize(`${d.title} ${d.body}`)) {
        // Words of private documents never become typo targets.
        if (token.word.length >= 3 && token.word.length <= 40 && !/\p{N}/u.test(token.word)) vocabulary.add(token.word);
      }
    }
    return { ...d, tsv: tsvectorLiteral([[d.title, "A"], [d.tags.join(" "), "B"], [d.body, "C"]]) };
  });
  if (posts.length) {
    await sql.$executeRawUnsafe(
      `insert into "SearchDocument" (generation, id, "threadId", "postNumber", title, body, "categorySlug", "categoryName",
         tags, solved, "isAccepted", "authorUsername", visibility, "createdAt", tsv)
       select $1, x.id, x."threadId", x."postNumber", x.title, x.body, x."categorySlug", x."categoryName",
         x.tags, x.solved, x."isAccepted", x."authorUsername", x.visibility,
         to_timestamp(x."createdAt" / 1000.0) at time zone 'UTC', x.tsv::tsvector
       from jsonb_to_recordset($2::jsonb) as x(id text, "threadId" text, "postNumber" int, title text, body text,
         "categorySlug" text, "categoryName" text, tags text[], solved boolean, "isAccepted" boolean,
         "authorUsername" text, visibility text, "createdAt" float8, tsv text)
       on conflict (generation, id) do update set
         "threadId" = excluded."threadId", "postNumber" = excluded."postNumber", title = excluded.title,
         body = excluded.body, "categorySlug" = excluded."categorySlug", "categoryName" = excluded."categoryName",
         tags = excluded.tags, solved = excluded.solved, "isAccepted" = excluded."isAccepted",
         "authorUsername" = excluded."authorUsername", visibility = excluded.visibility,
         "createdAt" = excluded."createdAt", tsv = excluded.tsv`,
      generation,
      JSON.stringify(posts),
    );
  }
  if (kept.length) {
    await sql.$executeRawUnsafe(
      `insert into "SearchThread" (generation, id, title, "categorySlug", tags, solved, authors, visibility, "createdAt", "lastPostAt", tsv, "titleTsv")
       select $1, x.id, x.title, x."categorySlug", x.tags, x.solved, x.authors, x.visibility,
         to_timestamp(x."createdAt" / 1000.0) at time zone 'UTC', to_timestamp(x."lastPostAt" / 1000.0) at time zone 'UTC',
         x.tsv::tsvector, x."titleTsv"::tsvector
       from jsonb_to_recordset($2::jsonb) as x(id text, title text, "categorySlug" text, tags text[], solved boolean,
         authors text[], visibility text, "createdAt" float8, "lastPostAt" float8, tsv text, "titleTsv" text)
       on conflict (generation, id) do update set
         title = excluded.title, "categorySlug" = excluded."categorySlug", tags = excluded.tags, solved = excluded.solved,
         authors = excluded.authors, visibility = excluded.visibility, "createdAt" = excluded."createdAt",
         "lastPostAt" = excluded."lastPostAt", tsv = excluded.tsv, "titleTsv" = excluded."titleTsv"`,
      generation,
      JSON.stringify(kept.map(threadRow)),
    );
  }
  const ids = threads.map((t) => t.threadId);
  await sql.$executeRawUnsafe(
    `delete from "SearchDocument" where generation = $1 and "threadId" = any($2::text[]) and not (id = any($3::text[]))`,
    generation,
    ids,
    documents.map((d) => d.id),
  );
  await sql.$executeRawUnsafe(
    `delete from "SearchThread" where generation = $1 and id = any($2::text[])`,
    generation,
    threads.filter((t) => !t.documents.length).map((t) => t.threadId),
  );
  if (vocabulary.size) {
    await sql.$executeRawUnsafe(`insert into "SearchTerm" (word) select unnest($1::text[]) on conflict (word) do nothing`, [...vocabulary]);
  }
}

async function rebuildVocabulary(sql: Sql, generation: number) {
  await sql.$executeRawUnsafe(`delete from "SearchTerm"`);
  // ts_stat takes its query as text; the generation is an integer we made.
  await sql.$executeRawUnsafe(
    `insert into "SearchTerm" (word)
     select word from ts_stat('select tsv from "SearchDocument" where visibility = ''public'' and generation = ${Math.trunc(generation)}')
     where char_length(word) between 3 and 40 and word !~ '[0-9]'
     on conflict (word) do nothing`,
  );
}
