import type { PrismaClient } from "~/generated/prisma/client";
import {
  emptyFacets,
  SearchEngineError,
  type Facets,
  type IndexBuilder,
  type SearchDocument,
  type SearchEngine,
  type SearchFilters,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
  type SimilarQuery,
  type SimilarThread,
  type ThreadDocuments,
  type Visibility,
} from "./engine";
import { LESS_THAN, leadingExcerpt, MARK_END, MARK_START, escapeHtml, markedToHtml } from "./highlight";
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

// PostgreSQL full-text search as the embedded engine (D4): one row per post in
// SearchDocument with a weighted tsvector (title A, tags B, body C) under a GIN
// index; typo tolerance by expanding query words to neighbours in SearchTerm
// found through pg_trgm and checked with the same typo distance Meilisearch
// uses. Runs unchanged on PGlite and on a PostgreSQL server.

type Sql = Pick<PrismaClient, "$queryRawUnsafe" | "$executeRawUnsafe">;

/** One way a query word may appear in a document. */
type Alternative = { lexeme: string; prefix: boolean; typos: 0 | 1 | 2 };
/** A query word and everything it may match. */
type Group = { word: string; alternatives: Alternative[] };

const WRITE_CHUNK = 500;
const MAX_TYPO_VARIANTS = 6;
// Low on purpose: trigram similarity only proposes candidates, typoDistance decides.
const TRIGRAM_THRESHOLD = 0.2;
const COMPOUND_TOKENS = new Set(["asciihword", "hword", "numhword"]);

const HEADLINE_BODY = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=32, MinWords=14, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`;
const HEADLINE_TITLE = `StartSel=${MARK_START}, StopSel=${MARK_END}, HighlightAll=true`;

const quoteLexeme = (lexeme: string) => `'${lexeme.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

function term(alt: Alternative, weight = ""): string {
  return `${quoteLexeme(alt.lexeme)}${alt.prefix || weight ? ":" : ""}${alt.prefix ? "*" : ""}${weight}`;
}

const anyOf = (alts: Alternative[], weight = "") => `(${alts.map((a) => term(a, weight)).join(" | ")})`;

const liveGeneration = `(select live from "SearchIndexState" where name = $1)`;

/** Positional parameters for one statement; $1 is always the index name. */
class Params {
  values: unknown[];
  constructor(indexName: string) {
    this.values = [indexName];
  }
  add(value: unknown, cast = ""): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }
}

function filterSql(p: Params, filters: SearchFilters, visibility: Visibility[]): string[] {
  const where = [`d.generation = ${liveGeneration}`, `d.visibility = any(${p.add(visibility, "::text[]")})`];
  if (filters.category) where.push(`d."categorySlug" = ${p.add(filters.category)}`);
  if (filters.tags?.length) where.push(`d.tags @> ${p.add(filters.tags, "::text[]")}`);
  if (filters.solved !== undefined) where.push(`d.solved = ${p.add(filters.solved)}`);
  if (filters.author) where.push(`lower(d."authorUsername") = lower(${p.add(filters.author)})`);
  if (filters.from) where.push(`d."createdAt" >= ${p.add(filters.from.toISOString())}::timestamptz at time zone 'UTC'`);
  if (filters.to) where.push(`d."createdAt" < ${p.add(filters.to.toISOString())}::timestamptz at time zone 'UTC'`);
  return where;
}

/** Ranking expressions shared by search and similar. */
function rankSql(p: Params, required: Group[], optional: Group[]) {
  const all = [...required, ...optional];
  const matched = optional.length
    ? optional.map((g) => `(d.tsv @@ ${p.add(anyOf(g.alternatives), "::tsquery")})::int`).join(" + ")
    : "0";
  const typos = all
    .filter((g) => g.alternatives.some((a) => a.typos > 0))
    .map((g) => {
      const exact = g.alternatives.filter((a) => a.typos === 0);
      const one = g.alternatives.filter((a) => a.typos <= 1);
      const two = g.alternatives;
      const branches = [`when d.tsv @@ ${p.add(anyOf(exact), "::tsquery")} then 0`];
      if (one.length > exact.length) branches.push(`when d.tsv @@ ${p.add(anyOf(one), "::tsquery")} then 1`);
      if (two.length > one.length) branches.push(`when d.tsv @@ ${p.add(anyOf(two), "::tsquery")} then 2`);
      return `(case ${branches.join(" ")} else 0 end)`;
    });
  const title = all.map((g) => `(d.tsv @@ ${p.add(anyOf(g.alternatives, "A"), "::tsquery")})::int`);
  const everything = p.add(all.map((g) => anyOf(g.alternatives)).join(" | "), "::tsquery");
  return {
    matched,
    typos: typos.length ? typos.join(" + ") : "0",
    title: title.length ? title.join(" + ") : "0",
    score: `ts_rank('{0.1, 0.2, 0.4, 1.0}', d.tsv, ${everything})`,
  };
}

const RELEVANCE_ORDER = `matched desc, typos asc, "titleMatches" desc, solved desc, "isAccepted" desc, score desc, "createdAt" desc, id`;
const NEWEST_ORDER = `"createdAt" desc, id`;

type HitRow = {
  id: string;
  threadId: string;
  postNumber: number;
  title: string;
  body: string;
  categorySlug: string;
  categoryName: string;
  tags: string[] | null;
  solved: boolean;
  isAccepted: boolean;
  authorUsername: string;
  createdAtMs: number;
  titleMarked: string | null;
  bodyMarked: string | null;
};

export class PostgresSearchEngine implements SearchEngine {
  readonly name = "postgres" as const;

  constructor(
    private readonly db: PrismaClient,
    private readonly indexName = POSTS_INDEX_NAME,
  ) {}

  async prepare() {
    await this.db.$executeRawUnsafe(
      `insert into "SearchIndexState" (name, live, "updatedAt") values ($1, 1, now()) on conflict (name) do nothing`,
      this.indexName,
    );
  }

  async apply(threads: ThreadDocuments[]) {
    if (!threads.length) return;
    const documents = threads.flatMap((t) => t.documents);
    await this.run("apply", () =>
      this.db.$transaction(async (tx) => {
        // Shared lock: a reindex cannot swap generations under a write in flight.
        const rows = await tx.$queryRawUnsafe<{ live: number }[]>(
          `select live from "SearchIndexState" where name = $1 for share`,
          this.indexName,
        );
        let generation = rows[0]?.live;
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

    const groups = await this.analyze(q);
    const hasFilters = Object.values(filters).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0));
    if (!groups.length && !hasFilters) return empty;

    return this.run("search", async () => {
      // Like Meilisearch's "last" matching strategy: all words must match; when
      // nothing does, the last words are dropped one at a time.
      let required = groups.length;
      let counted = await this.countAndFacets(groups.slice(0, required), filters, visibility);
      while (counted.total === 0 && required > 1) {
        required -= 1;
        counted = await this.countAndFacets(groups.slice(0, required), filters, visibility);
      }
      if (counted.total === 0) return { ...empty, facets: counted.facets };
      const rows = await this.hits(groups.slice(0, required), groups.slice(required), filters, visibility, query.sort ?? "relevance", perPage, offset);
      return { hits: rows.map(toHit), total: counted.total, page, perPage, facets: counted.facets };
    });
  }

  async similar(query: SimilarQuery): Promise<SimilarThread[]> {
    const groups = await this.analyze(normalizeQuery(query.title));
    if (!groups.length) return [];
    const limit = Math.min(Math.max(1, query.limit ?? 10), 50);
    const visibility = query.visibility?.length ? query.visibility : (["public"] as Visibility[]);
    return this.run("similar", async () => {
      const p = new Params(this.indexName);
      const where = filterSql(p, {}, visibility);
      where.push(`d."postNumber" = 0`);
      where.push(`d.tsv @@ ${p.add(groups.map((g) => anyOf(g.alternatives)).join(" | "), "::tsquery")}`);
      if (query.excludeThreadId) where.push(`d."threadId" <> ${p.add(query.excludeThreadId)}`);
      const rank = rankSql(p, [], groups);
      // A draft title shares most of its words with a thread worth showing.
      const minimum = p.add(Math.ceil(groups.length / 2));
      const rows = await this.db.$queryRawUnsafe<{ threadId: string; title: string; solved: boolean; categorySlug: string }[]>(
        `select "threadId", title, solved, "categorySlug" from (
           select d.id, d."threadId", d.title, d.solved, d."isAccepted", d."categorySlug", d."createdAt",
             ${rank.matched} as matched, ${rank.typos} as typos, ${rank.title} as "titleMatches", ${rank.score} as score
           from "SearchDocument" d where ${where.join(" and ")}
         ) m
         where matched >= ${minimum}
         order by ${RELEVANCE_ORDER}
         limit ${p.add(limit)}`,
        ...p.values,
      );
      return rows.map((r) => ({ threadId: r.threadId, title: r.title, solved: r.solved, categorySlug: r.categorySlug }));
    });
  }

  async count(): Promise<number> {
    const [row] = await this.run("count", () =>
      this.db.$queryRawUnsafe<{ n: number }[]>(
        `select count(*)::int as n from "SearchDocument" d where d.generation = ${liveGeneration}`,
        this.indexName,
      ),
    );
    return row?.n ?? 0;
  }

  async rebuild(): Promise<IndexBuilder> {
    await this.prepare();
    const generation = await this.db.$transaction(async (tx) => {
      const [state] = await tx.$queryRawUnsafe<{ live: number; building: number | null }[]>(
        `select live, building from "SearchIndexState" where name = $1 for update`,
        this.indexName,
      );
      const [{ top }] = await tx.$queryRawUnsafe<{ top: number }[]>(
        `select coalesce(max(generation), 0)::int as top from "SearchDocument"`,
      );
      const next = Math.max(state!.live, top) + 1;
      await tx.$executeRawUnsafe(
        `update "SearchIndexState" set building = $2, "updatedAt" = now() where name = $1`,
        this.indexName,
        next,
      );
      return next;
    });
    // Leftovers of an interrupted reindex.
    await this.db.$executeRawUnsafe(
      `delete from "SearchDocument" where generation <> ${liveGeneration} and generation <> $2`,
      this.indexName,
      generation,
    );
    const db = this.db;
    const indexName = this.indexName;
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
        }),
      abort: async () => {
        await db.$executeRawUnsafe(
          `update "SearchIndexState" set building = null, "updatedAt" = now() where name = $1 and building = $2`,
          indexName,
          generation,
        );
        await db.$executeRawUnsafe(`delete from "SearchDocument" where generation = $1`, generation);
      },
    };
  }

  async close() {}

  /** Query words (as the index tokenizes them) and what each may match. */
  private async analyze(q: string): Promise<Group[]> {
    if (!q) return [];
    const tokens = await this.run("search", () =>
      this.db.$queryRawUnsafe<{ alias: string; lexeme: string | null }[]>(
        `select alias, lexemes[1] as lexeme from ts_debug('simple', $1)`,
        q,
      ),
    );
    const seen = new Set<string>();
    let words: string[] = [];
    for (const t of tokens) {
      if (!t.lexeme || COMPOUND_TOKENS.has(t.alias) || seen.has(t.lexeme)) continue;
      seen.add(t.lexeme);
      words.push(t.lexeme);
    }
    const meaningful = words.filter((w) => !STOP_WORD_SET.has(w));
    if (meaningful.length) words = meaningful;
    words = words.slice(0, MAX_QUERY_WORDS);
    if (!words.length) return [];

    const lastIsPrefix = endsInsideWord(q) && tokens.at(-1)?.lexeme === words.at(-1);
    const groups: Group[] = words.map((word, i) => {
      const prefix = lastIsPrefix && i === words.length - 1 && [...word].length >= 2;
      return { word, alternatives: [{ lexeme: word, prefix, typos: 0 }] };
    });

    const fuzzy = groups.filter((g) => allowedTypos(g.word) > 0 && [...g.word].length <= 40);
    if (fuzzy.length) {
      const candidates = await this.run("search", () =>
        this.db.$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`set local pg_trgm.similarity_threshold = ${TRIGRAM_THRESHOLD}`);
          return tx.$queryRawUnsafe<{ query: string; word: string }[]>(
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
        }),
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
    }
    return groups;
  }

  private async countAndFacets(groups: Group[], filters: SearchFilters, visibility: Visibility[]) {
    const p = new Params(this.indexName);
    const where = filterSql(p, filters, visibility);
    if (groups.length) where.push(`d.tsv @@ ${p.add(groups.map((g) => anyOf(g.alternatives)).join(" & "), "::tsquery")}`);
    const rows = await this.db.$queryRawUnsafe<{ facet: string; value: string; n: number }[]>(
      `with m as materialized (
         select d."threadId", d."categorySlug", d.tags, d.solved, d."authorUsername"
         from "SearchDocument" d where ${where.join(" and ")}
       )
       (select 'total' as facet, '' as value, count(distinct "threadId")::int as n from m)
       union all (select 'category', "categorySlug", count(distinct "threadId")::int from m group by 2 order by 3 desc, 2 limit ${FACET_LIMITS.category})
       union all (select 'solved', solved::text, count(distinct "threadId")::int from m group by 2 order by 3 desc, 2)
       union all (select 'author', "authorUsername", count(distinct "threadId")::int from m group by 2 order by 3 desc, 2 limit ${FACET_LIMITS.author})
       union all (select 'tag', t, count(distinct "threadId")::int from m, unnest(m.tags) as t group by 2 order by 3 desc, 2 limit ${FACET_LIMITS.tag})`,
      ...p.values,
    );
    const facets: Facets = emptyFacets();
    let total = 0;
    for (const r of rows) {
      if (r.facet === "total") total = r.n;
      else facets[r.facet as keyof Facets].push({ value: r.value, count: r.n });
    }
    return { total, facets };
  }

  private async hits(
    required: Group[],
    optional: Group[],
    filters: SearchFilters,
    visibility: Visibility[],
    sort: "relevance" | "newest",
    limit: number,
    offset: number,
  ): Promise<HitRow[]> {
    const p = new Params(this.indexName);
    const where = filterSql(p, filters, visibility);
    const searching = required.length > 0;
    if (searching) where.push(`d.tsv @@ ${p.add(required.map((g) => anyOf(g.alternatives)).join(" & "), "::tsquery")}`);
    const rank = searching ? rankSql(p, required, optional) : { matched: "0", typos: "0", title: "0", score: "0" };
    const order = sort === "newest" || !searching ? NEWEST_ORDER : RELEVANCE_ORDER;
    const highlight = searching
      ? p.add([...required, ...optional].map((g) => anyOf(g.alternatives)).join(" | "), "::tsquery")
      : null;
    const lt = p.add(LESS_THAN);
    const marked = highlight
      ? `ts_headline('simple', replace(b.title, '<', ${lt}), ${highlight}, ${p.add(HEADLINE_TITLE)}) as "titleMarked",
         ts_headline('simple', replace(b.body, '<', ${lt}), ${highlight}, ${p.add(HEADLINE_BODY)}) as "bodyMarked"`
      : `null as "titleMarked", null as "bodyMarked"`;
    return this.db.$queryRawUnsafe<HitRow[]>(
      `with m as (
         select d.id, d."threadId", d."postNumber", d.title, d.body, d."categorySlug", d."categoryName", d.tags,
           d.solved, d."isAccepted", d."authorUsername", d."createdAt",
           ${rank.matched} as matched, ${rank.typos} as typos, ${rank.title} as "titleMatches", ${rank.score} as score
         from "SearchDocument" d where ${where.join(" and ")}
       ),
       best as (select distinct on ("threadId") * from m order by "threadId", ${order})
       select b.id, b."threadId", b."postNumber", b.title, b.body, b."categorySlug", b."categoryName", b.tags, b.solved,
         b."isAccepted", b."authorUsername",
         (extract(epoch from (b."createdAt" at time zone 'UTC')) * 1000)::float8 as "createdAtMs",
         ${marked}
       from (select * from best order by ${order} limit ${p.add(limit)} offset ${p.add(offset)}) b
       order by ${order}`,
      ...p.values,
    );
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

function toHit(r: HitRow): SearchHit {
  return {
    threadId: r.threadId,
    postId: r.id,
    postNumber: r.postNumber,
    title: r.title,
    titleHtml: r.titleMarked !== null ? markedToHtml(r.titleMarked) : escapeHtml(r.title),
    snippetHtml: r.bodyMarked !== null ? markedToHtml(r.bodyMarked) : leadingExcerpt(r.body),
    categorySlug: r.categorySlug,
    categoryName: r.categoryName,
    tags: r.tags ?? [],
    solved: r.solved,
    isAccepted: r.isAccepted,
    authorUsername: r.authorUsername,
    createdAt: Math.round(Number(r.createdAtMs)),
  };
}

async function writeDocuments(sql: Sql, generation: number, documents: SearchDocument[]) {
  for (let i = 0; i < documents.length; i += WRITE_CHUNK) {
    const chunk = documents.slice(i, i + WRITE_CHUNK);
    await sql.$executeRawUnsafe(
      `insert into "SearchDocument" (generation, id, "threadId", "postNumber", title, body, "categorySlug", "categoryName",
         tags, solved, "isAccepted", "authorUsername", visibility, "createdAt", tsv)
       select $1, x.id, x."threadId", x."postNumber", x.title, x.body, x."categorySlug", x."categoryName",
         x.tags, x.solved, x."isAccepted", x."authorUsername", x.visibility,
         to_timestamp(x."createdAt" / 1000.0) at time zone 'UTC',
         setweight(to_tsvector('simple', x.title), 'A')
           || setweight(to_tsvector('simple', array_to_string(x.tags, ' ')), 'B')
           || setweight(to_tsvector('simple', x.body), 'C')
       from jsonb_to_recordset($2::jsonb) as x(id text, "threadId" text, "postNumber" int, title text, body text,
         "categorySlug" text, "categoryName" text, tags text[], solved boolean, "isAccepted" boolean,
         "authorUsername" text, visibility text, "createdAt" float8)
       on conflict (generation, id) do update set
         "threadId" = excluded."threadId", "postNumber" = excluded."postNumber", title = excluded.title,
         body = excluded.body, "categorySlug" = excluded."categorySlug", "categoryName" = excluded."categoryName",
         tags = excluded.tags, solved = excluded.solved, "isAccepted" = excluded."isAccepted",
         "authorUsername" = excluded."authorUsername", visibility = excluded.visibility,
         "createdAt" = excluded."createdAt", tsv = excluded.tsv`,
      generation,
      JSON.stringify(chunk),
    );
    // New words become typo targets; words of private documents never do.
    await sql.$executeRawUnsafe(
      `insert into "SearchTerm" (word)
       select distinct w from "SearchDocument" d, unnest(tsvector_to_array(d.tsv)) as w
       where d.generation = $1 and d.id = any($2::text[]) and d.visibility = 'public'
         and char_length(w) between 3 and 40 and w ~ '^[[:alpha:]]+$'
       on conflict (word) do nothing`,
      generation,
      chunk.map((d) => d.id),
    );
  }
}

async function rebuildVocabulary(sql: Sql, generation: number) {
  await sql.$executeRawUnsafe(`delete from "SearchTerm"`);
  // ts_stat takes its query as text; the generation is an integer we made.
  await sql.$executeRawUnsafe(
    `insert into "SearchTerm" (word)
     select word from ts_stat('select tsv from "SearchDocument" where visibility = ''public'' and generation = ${Math.trunc(generation)}')
     where char_length(word) between 3 and 40 and word ~ '^[[:alpha:]]+$'
     on conflict (word) do nothing`,
  );
}
