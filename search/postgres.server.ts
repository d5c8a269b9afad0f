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
import { allowedTypos, endsInsideWord, normalizeQuery, typoDistance } from "./query";
import {
  DEFAULT_PER_PAGE,
  FACET_LIMITS,
  MAX_PER_PAGE,
  MAX_QUERY_WORDS,
  MAX_TOTAL_HITS,
  POSTS_INDEX_NAME,
  STOP_WORD_SET,
} from "./settings";
import { tokenize, tsvectorLiteral } from "./tokenize";

// PostgreSQL full-text search as the embedded engine (D4, ADR 013): one row
// per post in SearchDocument with a weighted tsvector (title A, tags B, body C)
// under a GIN index, ranked in SQL (words, typos, title, solved, accepted,
// ts_rank); typo tolerance by expanding query words to neighbours in
// SearchTerm found with pg_trgm and checked with the typo distance Meilisearch
// uses. Words are cut by search/tokenize.ts on every side (index, query,
// highlight). Runs unchanged on PGlite and on a PostgreSQL server.

type Sql = Pick<PrismaClient, "$queryRawUnsafe" | "$executeRawUnsafe">;

/** One way a query word may appear in a document. */
type Alternative = { lexeme: string; prefix: boolean; typos: 0 | 1 | 2 };
/** A query word and everything it may match. */
type Group = { word: string; alternatives: Alternative[] };
type QueryWord = { word: string; prefix: boolean };

const WRITE_CHUNK = 500;
const MAX_TYPO_VARIANTS = 6;
// Low on purpose: trigram similarity only proposes candidates (a swap in a
// five-letter word scores 0.2), typoDistance decides.
const TRIGRAM_THRESHOLD = "0.2";
// PGlite has no autovacuum: statistics and dead rows are looked after here.
const MAINTAIN_AFTER_WRITES = 5000;

const quoteLexeme = (lexeme: string) => `'${lexeme.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
const term = (a: Alternative, weight = "") => `${quoteLexeme(a.lexeme)}${a.prefix || weight ? ":" : ""}${a.prefix ? "*" : ""}${weight}`;
const anyOf = (alts: Alternative[], weight = "") => `(${alts.map((a) => term(a, weight)).join(" | ")})`;
const allOf = (groups: Group[]) => groups.map((g) => anyOf(g.alternatives)).join(" & ");

/** The words a query searches for, as the index cut them; the last may be a prefix. */
export function queryWords(q: string): QueryWord[] {
  const tokens = tokenize(q);
  let words = [...new Set(tokens.map((t) => t.word))];
  const meaningful = words.filter((w) => !STOP_WORD_SET.has(w));
  if (meaningful.length) words = meaningful;
  words = words.slice(0, MAX_QUERY_WORDS);
  const last = tokens.at(-1)?.word;
  const prefixLast = endsInsideWord(q) && last === words.at(-1);
  return words.map((word, i) => ({ word, prefix: prefixLast && i === words.length - 1 && word.length >= 2 }));
}

/** Positional parameters for one statement. */
class Params {
  values: unknown[] = [];
  add(value: unknown, cast = ""): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }
}

function whereSql(p: Params, generation: number, filters: SearchFilters, visibility: Visibility[]): string[] {
  const where = [`d.generation = ${p.add(generation)}`, `d.visibility = any(${p.add(visibility, "::text[]")})`];
  if (filters.category) where.push(`d."categorySlug" = ${p.add(filters.category)}`);
  if (filters.tags?.length) where.push(`d.tags @> ${p.add(filters.tags, "::text[]")}`);
  if (filters.solved !== undefined) where.push(`d.solved = ${p.add(filters.solved)}`);
  if (filters.author) where.push(`lower(d."authorUsername") = lower(${p.add(filters.author)})`);
  if (filters.from) where.push(`d."createdAt" >= ${p.add(filters.from.toISOString())}::timestamptz at time zone 'UTC'`);
  if (filters.to) where.push(`d."createdAt" < ${p.add(filters.to.toISOString())}::timestamptz at time zone 'UTC'`);
  return where;
}

/**
 * One number ordering documents like the ranking rules in settings.ts: words
 * matched, then fewer typos, then words in the title, then solved threads
 * and accepted answers, then ts_rank. `optional` words count when present.
 */
function rankSql(p: Params, required: Group[], optional: Group[], column = "d.tsv"): string {
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
  const title = all.map((g) => `(${column} @@ ${p.add(anyOf(g.alternatives, "A"), "::tsquery")})::int`).join(" + ");
  const everything = p.add(all.map((g) => anyOf(g.alternatives)).join(" | "), "::tsquery");
  return `((${matched})::float8 * 1e8 + (99 - (${typos}))::float8 * 1e6 + (${title})::float8 * 1e4
    + d.solved::int::float8 * 1e3 + d."isAccepted"::int::float8 * 1e2
    + least(ts_rank('{0.1, 0.2, 0.4, 1.0}', ${column}, ${everything})::float8, 0.99) * 100)`;
}

const orderSql = (sort: SearchSort, alias: string, tiebreak = "id") =>
  sort === "newest"
    ? `${alias}."createdAt" desc, ${alias}.${tiebreak}`
    : `${alias}.rank desc, ${alias}."createdAt" desc, ${alias}.${tiebreak}`;

type HitRow = Omit<SearchDocument, "postId" | "visibility">;
type SearchRow = { total: number; category: FacetValue[]; tag: FacetValue[]; solved: FacetValue[]; author: FacetValue[]; hits: HitRow[] };

const facetJson = (sql: string) =>
  `(select coalesce(json_agg(json_build_object('value', v, 'count', n)), '[]'::json) from (${sql}) f)`;

export class PostgresSearchEngine implements SearchEngine {
  readonly name = "postgres" as const;
  // One index per database: private content shares it, kept apart by `visibility`.
  private readonly indexName = POSTS_INDEX_NAME;
  private writesSinceMaintenance = 0;

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
    const documents = threads.flatMap((t) => t.documents);
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
        await writeDocuments(tx, generation, documents);
        await tx.$executeRawUnsafe(
          `delete from "SearchDocument" where generation = $1 and "threadId" = any($2::text[]) and not (id = any($3::text[]))`,
          generation,
          threads.map((t) => t.threadId),
          documents.map((d) => d.id),
        );
      }),
    );
    await this.maintain(documents.length + threads.length);
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
        // Titles of questions only: a small index, and what a draft title is compared with.
        where.push(`d."titleTsv" @@ ${p.add(groups.map((g) => anyOf(g.alternatives)).join(" | "), "::tsquery")}`);
        if (query.excludeThreadId) where.push(`d."threadId" <> ${p.add(query.excludeThreadId)}`);
        const matched = groups.map((g) => `(d."titleTsv" @@ ${p.add(anyOf(g.alternatives), "::tsquery")})::int`).join(" + ");
        const rank = rankSql(p, [], groups, `d."titleTsv"`);
        // A draft title shares most of its words with a thread worth showing.
        const minimum = p.add(Math.ceil(groups.length / 2));
        return tx.$queryRawUnsafe<SimilarThread[]>(
          `select "threadId", title, solved, "categorySlug" from (
             select d.id, d."threadId", d.title, d.solved, d."categorySlug", d."createdAt", ${matched} as matched, ${rank} as rank
             from "SearchDocument" d where ${where.join(" and ")}
           ) m
           where matched >= ${minimum}
           order by rank desc, "createdAt" desc, id
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
          `select coalesce(max(generation), 0)::int as top from "SearchDocument"`,
        );
        const next = Math.max(state!.live, top) + 1;
        await tx.$executeRawUnsafe(`update "SearchIndexState" set building = $2, "updatedAt" = now() where name = $1`, indexName, next);
        // Leftovers of an interrupted reindex.
        await tx.$executeRawUnsafe(`delete from "SearchDocument" where generation <> $1 and generation <> $2`, state!.live, next);
        return next;
      }),
    );
    const db = this.db;
    return {
      add: (documents) => this.run("reindex", () => writeDocuments(db, generation, documents)),
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
          await db.$executeRawUnsafe(`delete from "SearchDocument" where generation <> $1`, generation);
          await this.maintain(Number.POSITIVE_INFINITY);
        }),
      abort: () =>
        this.run("reindex", async () => {
          await db.$executeRawUnsafe(
            `update "SearchIndexState" set building = null, "updatedAt" = now() where name = $1 and building = $2`,
            indexName,
            generation,
          );
          await db.$executeRawUnsafe(`delete from "SearchDocument" where generation = $1`, generation);
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
    if (must.length) where.push(`d.tsv @@ ${p.add(allOf(must), "::tsquery")}`);
    const rank = rankSql(p, must, groups.slice(required));
    const gen = p.add(generation);
    const [row] = await tx.$queryRawUnsafe<SearchRow[]>(
      `with m as materialized (
         select d.id, d."threadId", d."categorySlug", d.tags, d.solved, d."authorUsername", d."createdAt", ${rank} as rank
         from "SearchDocument" d where ${where.join(" and ")}
       ),
       -- One row per thread (hashing, not sorting); its category, tags and solved state are the same on every post.
       t as (
         select "threadId", max(rank) as rank, max("createdAt") as "createdAt", min("categorySlug") as "categorySlug",
           min(tags) as tags, bool_or(solved) as solved
         from m group by "threadId"
       ),
       page as (select "threadId", rank, "createdAt" from t order by ${orderSql(sort, "t", `"threadId"`)} limit ${p.add(limit)} offset ${p.add(offset)}),
       -- Each thread is shown through its best post (the newest one when sorting by date).
       best as (
         select distinct on (m."threadId") m.id, pg.rank, pg."createdAt", pg."threadId"
         from page pg join m on m."threadId" = pg."threadId" and ${sort === "newest" ? `m."createdAt" = pg."createdAt"` : `m.rank = pg.rank`}
         order by m."threadId", m."createdAt" desc, m.id
       )
       select
         (select count(*) from t)::int as total,
         ${facetJson(`select "categorySlug" as v, count(*)::int as n from t group by 1 order by 2 desc, 1 limit ${FACET_LIMITS.category}`)} as category,
         ${facetJson(`select x as v, count(*)::int as n from t, unnest(t.tags) as x group by 1 order by 2 desc, 1 limit ${FACET_LIMITS.tag}`)} as tag,
         ${facetJson(`select solved::text as v, count(*)::int as n from t group by 1 order by 2 desc, 1`)} as solved,
         ${facetJson(`select a as v, count(*)::int as n from (select distinct "threadId", "authorUsername" as a from m) z group by 1 order by 2 desc, 1 limit ${FACET_LIMITS.author}`)} as author,
         (select coalesce(json_agg(json_build_object(
             'id', d.id, 'threadId', d."threadId", 'postNumber', d."postNumber", 'title', d.title, 'body', d.body,
             'categorySlug', d."categorySlug", 'categoryName', d."categoryName", 'tags', d.tags, 'solved', d.solved,
             'isAccepted', d."isAccepted", 'authorUsername', d."authorUsername",
             'createdAt', (extract(epoch from (d."createdAt" at time zone 'UTC')) * 1000)::float8
           ) order by ${orderSql(sort, "b", `"threadId"`)}), '[]'::json)
          from best b join "SearchDocument" d on d.generation = ${gen} and d.id = b.id) as hits`,
      ...p.values,
    );
    return row!;
  }

  /** Statistics, the GIN pending list and dead rows, which nothing else maintains on PGlite. */
  private async maintain(written: number) {
    try {
      await this.db.$queryRawUnsafe(
        `select gin_clean_pending_list('"SearchDocument_tsv_idx"'::regclass)::int as a,
           gin_clean_pending_list('"SearchDocument_titleTsv_idx"'::regclass)::int as b`,
      );
      this.writesSinceMaintenance += written;
      if (this.writesSinceMaintenance >= MAINTAIN_AFTER_WRITES) {
        this.writesSinceMaintenance = 0;
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
    const variants = candidates
      .filter((c) => c.query === g.word)
      .map((c) => ({ lexeme: c.word, distance: typoDistance(g.word, c.word, max) }))
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

async function writeDocuments(sql: Sql, generation: number, documents: SearchDocument[]) {
  for (let i = 0; i < documents.length; i += WRITE_CHUNK) {
    const chunk = documents.slice(i, i + WRITE_CHUNK);
    const vocabulary = new Set<string>();
    const rows = chunk.map((d) => {
      if (d.visibility === "public") {
        for (const t of tokenize(`${d.title} ${d.body}`)) {
          // Words private documents use never become typo targets.
          if (t.word.length >= 3 && t.word.length <= 40 && !/\p{N}/u.test(t.word)) vocabulary.add(t.word);
        }
      }
      return {
        ...d,
        tsv: tsvectorLiteral([[d.title, "A"], [d.tags.join(" "), "B"], [d.body, "C"]]),
        titleTsv: d.postNumber === 0 ? tsvectorLiteral([[d.title, "A"]]) : null,
      };
    });
    await sql.$executeRawUnsafe(
      `insert into "SearchDocument" (generation, id, "threadId", "postNumber", title, body, "categorySlug", "categoryName",
         tags, solved, "isAccepted", "authorUsername", visibility, "createdAt", tsv, "titleTsv")
       select $1, x.id, x."threadId", x."postNumber", x.title, x.body, x."categorySlug", x."categoryName",
         x.tags, x.solved, x."isAccepted", x."authorUsername", x.visibility,
         to_timestamp(x."createdAt" / 1000.0) at time zone 'UTC', x.tsv::tsvector, x."titleTsv"::tsvector
       from jsonb_to_recordset($2::jsonb) as x(id text, "threadId" text, "postNumber" int, title text, body text,
         "categorySlug" text, "categoryName" text, tags text[], solved boolean, "isAccepted" boolean,
         "authorUsername" text, visibility text, "createdAt" float8, tsv text, "titleTsv" text)
       on conflict (generation, id) do update set
         "threadId" = excluded."threadId", "postNumber" = excluded."postNumber", title = excluded.title,
         body = excluded.body, "categorySlug" = excluded."categorySlug", "categoryName" = excluded."categoryName",
         tags = excluded.tags, solved = excluded.solved, "isAccepted" = excluded."isAccepted",
         "authorUsername" = excluded."authorUsername", visibility = excluded.visibility,
         "createdAt" = excluded."createdAt", tsv = excluded.tsv, "titleTsv" = excluded."titleTsv"`,
      generation,
      JSON.stringify(rows),
    );
    if (vocabulary.size) {
      await sql.$executeRawUnsafe(
        `insert into "SearchTerm" (word) select unnest($1::text[]) on conflict (word) do nothing`,
        [...vocabulary],
      );
    }
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
