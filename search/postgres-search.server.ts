import type { FacetValue, SearchDocument, SearchFilters, SearchHit, SearchSort, Visibility } from "./engine";
import { escapeHtml, markAll, markExcerpt, markedToHtml, type Matcher } from "./highlight";
import { allOf, anyOf, orderSql, Params, rankSql, whereSql, type Group, type Sql } from "./postgres-query";
import type { IndexState } from "./postgres-query-cache";
import { allowedTypos, typoCount, type QueryWord } from "./query";
import { FACET_LIMITS, MAX_TOTAL_HITS } from "./settings";

// Reading the PostgreSQL index: typo variants from the vocabulary, then one
// page of hits with its facets, then hits as the engine interface shapes them.

const MAX_TYPO_VARIANTS = 6;

export type HitRow = Omit<SearchDocument, "postId" | "visibility">;
type SearchRow = {
  total: number;
  category: FacetValue[];
  tag: FacetValue[];
  solved: FacetValue[];
  author: FacetValue[];
  ids: string[];
  hits: HitRow[];
};

const facetJson = (sql: string) => `(select coalesce(json_agg(json_build_object('value', v, 'count', n)), '[]'::json) from (${sql}) f)`;

/** Adds typo variants found in the vocabulary to every word long enough for typos. */
export async function expand(tx: Sql, words: QueryWord[]): Promise<Group[]> {
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

const hitJson = (order: string) => `coalesce(json_agg(json_build_object(
    'id', d.id, 'threadId', d."threadId", 'postNumber', d."postNumber", 'title', d.title, 'body', d.body,
    'categorySlug', d."categorySlug", 'categoryName', d."categoryName", 'tags', d.tags, 'solved', d.solved,
    'isAccepted', d."isAccepted", 'authorUsername', d."authorUsername",
    'createdAt', (extract(epoch from (d."createdAt" at time zone 'UTC')) * 1000)::float8
  ) order by ${order}), '[]'::json)`;

/** The post a hit shows for thread `pg.id`: the one matching most words, the accepted answer first, else the question. */
function hitPost(p: Params, generation: number, groups: Group[], visibility: Visibility[]): string {
  const postOrder = [
    ...(groups.length ? [`(${groups.map((g) => `(d.tsv @@ ${p.add(anyOf(g.alternatives), "::tsquery")})::int`).join(" + ")}) desc`] : []),
    `d."isAccepted" desc`,
    `d."postNumber"`,
  ].join(", ");
  const anyWord = groups.length ? `d.tsv @@ ${p.add(groups.map((g) => anyOf(g.alternatives)).join(" | "), "::tsquery")} or ` : "";
  return `cross join lateral (
      select d.* from "SearchDocument" d
      where d.generation = ${p.add(generation)} and d."threadId" = pg.id and d.visibility = any(${p.add(visibility, "::text[]")})
        and (${anyWord}d."postNumber" = 0 or d."isAccepted")
      order by ${postOrder}
      limit 1
    ) d`;
}

/**
 * One page of hits, the total, every facet and the ranked thread ids (up to
 * MAX_TOTAL_HITS, what later pages of the same query are cut from), in one
 * statement over the threads that match.
 */
export async function searchPage(
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
  const [row] = await tx.$queryRawUnsafe<SearchRow[]>(
    `with m as materialized (
       select t.id, t."categorySlug", t.tags, t.solved, t.authors, t."lastPostAt", ${rank} as rank
       from "SearchThread" t where ${where.join(" and ")}
     ),
     ranked as materialized (select id, rank, "lastPostAt" from m order by ${orderSql(sort, "m")} limit ${MAX_TOTAL_HITS}),
     page as (select id, rank, "lastPostAt" from ranked order by ${orderSql(sort, "ranked")} limit ${p.add(limit)} offset ${p.add(offset)})
     select
       (select count(*) from m)::int as total,
       ${facetJson(`select "categorySlug" as v, count(*)::int as n from m group by 1 order by 2 desc, 1 limit ${FACET_LIMITS.category}`)} as category,
       ${facetJson(`select v, count(*)::int as n from (select unnest(tags) as v from m) x group by 1 order by 2 desc, 1 limit ${FACET_LIMITS.tag}`)} as tag,
       ${facetJson(`select solved::text as v, count(*)::int as n from m group by 1 order by 2 desc, 1`)} as solved,
       ${facetJson(`select v, count(*)::int as n from (select unnest(authors) as v from m) x group by 1 order by 2 desc, 1 limit ${FACET_LIMITS.author}`)} as author,
       (select coalesce(array_agg(id order by ${orderSql(sort, "ranked")}), '{}') from ranked) as ids,
       (select ${hitJson(orderSql(sort, "pg"))} from page pg ${hitPost(p, generation, groups, visibility)}) as hits`,
    ...p.values,
  );
  return row!;
}

/**
 * The hits for threads already ranked (a later page of a cached query), in the order given; null when the
 * index is no longer in the state they were ranked in. One statement, so the state it checks and the
 * documents it reads are the same snapshot (ADR 044).
 */
export async function pageHits(
  tx: Sql,
  indexName: string,
  index: IndexState,
  groups: Group[],
  visibility: Visibility[],
  ids: string[],
): Promise<HitRow[] | null> {
  const p = new Params();
  const same = `s.live = ${p.add(index.generation)} and s.writes = ${p.add(index.writes)}`;
  const [row] = await tx.$queryRawUnsafe<{ hits: HitRow[] | null }[]>(
    `select case when ${same} then (
       select ${hitJson("pg.ord")}
       from unnest(${p.add(ids, "::text[]")}) with ordinality as pg(id, ord) ${hitPost(p, index.generation, groups, visibility)}
     ) end as hits
     from "SearchIndexState" s where s.name = ${p.add(indexName)}`,
    ...p.values,
  );
  return row?.hits ?? null;
}

export function toHit(r: HitRow, matcher: Matcher): SearchHit {
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
