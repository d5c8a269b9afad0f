import type { PrismaClient } from "~/generated/prisma/client";
import type { SearchFilters, SearchSort, Visibility } from "./engine";
import type { Matcher } from "./highlight";

// The PostgreSQL engine's statements are built here: tsquery text from the
// query words and their typo variants, the conditions a filter adds, and one
// ranking number that follows the rules in settings.ts.

export type Sql = Pick<PrismaClient, "$queryRawUnsafe" | "$executeRawUnsafe">;

/** One way a query word may appear in a document. */
export type Alternative = { lexeme: string; prefix: boolean; typos: 0 | 1 | 2 };
/** A query word and everything it may match. */
export type Group = { word: string; alternatives: Alternative[] };

const quoteLexeme = (lexeme: string) => `'${lexeme.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
const term = (a: Alternative) => `${quoteLexeme(a.lexeme)}${a.prefix ? ":*" : ""}`;
export const anyOf = (alts: Alternative[]) => `(${alts.map(term).join(" | ")})`;
export const allOf = (groups: Group[]) => groups.map((g) => anyOf(g.alternatives)).join(" & ");

/**
 * A tsquery matching documents with at least `needed` of the groups, so the
 * GIN index skips the rest (an OR of every word would hand over thousands of
 * titles sharing one common word). Too many combinations: any word, and the
 * caller's count filters.
 */
export function atLeast(groups: Group[], needed: number): string {
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
export class Params {
  values: unknown[] = [];
  add(value: unknown, cast = ""): string {
    this.values.push(value);
    return `$${this.values.length}${cast}`;
  }
}

/** Conditions on SearchThread rows (alias t). */
export function whereSql(p: Params, generation: number, filters: SearchFilters, visibility: Visibility[]): string[] {
  const where = [`t.generation = ${p.add(generation)}`, `t.visibility = any(${p.add(visibility, "::text[]")})`];
  // Meilisearch's equality ignores case; slugs and tags are stored in lower case, so lowering the value is the same.
  if (filters.category) where.push(`t."categorySlug" = ${p.add(filters.category.toLowerCase())}`);
  if (filters.tags?.length)
    where.push(
      `t.tags @> ${p.add(
        filters.tags.map((t) => t.toLowerCase()),
        "::text[]",
      )}`,
    );
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
export function rankSql(p: Params, required: Group[], optional: Group[], column = "t.tsv"): string {
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

export const orderSql = (sort: SearchSort, alias: string) =>
  sort === "newest" ? `${alias}."lastPostAt" desc, ${alias}.id` : `${alias}.rank desc, ${alias}."lastPostAt" desc, ${alias}.id`;

/** What the highlighter marks: every word a query matched, typo variants included. */
export function matcherFor(groups: Group[]): Matcher {
  const alternatives = groups.flatMap((g) => g.alternatives);
  return {
    words: new Set(alternatives.filter((a) => !a.prefix).map((a) => a.lexeme)),
    prefixes: alternatives.filter((a) => a.prefix).map((a) => a.lexeme),
  };
}
