import { asStrings, compileFilter, type Doc } from "./meilisearch-filter";

// What the fake Meilisearch answers to POST /indexes/{uid}/search. Matching
// follows the documented word, prefix and typo rules; ranking is only words
// matched, then typos, then document order: the rest of ranking is the real
// engine's job. What it must get right is what the server refuses and how it
// shapes the answer, each rule citing the page it follows.

export type IndexSettings = Record<string, any>;
export class SearchRequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/**
 * Typos between a query word and a document word, or Infinity beyond what is allowed.
 * https://www.meilisearch.com/docs/learn/relevancy/typo_tolerance_settings: one typo from
 * minWordSizeForTypos.oneTypo letters (5), two from twoTypos (9), none on numbers with
 * disableOnNumbers. https://www.meilisearch.com/docs/resources/internals/typo_tolerance:
 * Damerau-Levenshtein (a swap is one typo), and a typo on the first letter costs two.
 */
function typos(query: string, word: string, settings: IndexSettings): number {
  if (query === word) return 0;
  const typo = settings.typoTolerance ?? {};
  if (typo.enabled === false || (typo.disableOnNumbers && /^\p{N}+$/u.test(query))) return Infinity;
  const sizes = { oneTypo: 5, twoTypos: 9, ...typo.minWordSizeForTypos };
  const a = [...query];
  const b = [...word];
  const allowed = a.length >= sizes.twoTypos ? 2 : a.length >= sizes.oneTypo ? 1 : 0;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  const count = d[a.length]![b.length]! + (a[0] === b[0] ? 0 : 1);
  return count <= allowed ? count : Infinity;
}

/** Throws unless every attribute is in the list (`*` allows all). */
function declared(attributes: Iterable<string>, allowed: string[] | undefined, code: string, what: string) {
  const list = allowed ?? [];
  for (const attribute of attributes) {
    if (list.includes("*") || list.includes(attribute)) continue;
    const available = list.length
      ? `Available ${what} attributes are: \`${list.join(", ")}\`.`
      : `This index does not have configured ${what} attributes.`;
    throw new SearchRequestError(code, `Attribute \`${attribute}\` is not ${what}. ${available}`);
  }
}

export function search(docs: Doc[], settings: IndexSettings, params: Record<string, any>) {
  // https://www.meilisearch.com/docs/learn/filtering_and_sorting/filter_search:
  // only attributes in filterableAttributes may be filtered on; the same holds for facets.
  const filterAttributes = new Set<string>();
  const test = compileFilter(params.filter, filterAttributes);
  declared(filterAttributes, settings.filterableAttributes, "invalid_search_filter", "filterable");
  declared(params.facets ?? [], settings.filterableAttributes, "invalid_search_facets", "filterable");
  // https://www.meilisearch.com/docs/learn/filtering_and_sorting/sort_search_results: sortableAttributes only.
  const sorts = ((params.sort as string[] | undefined) ?? []).map((s) => s.split(":") as [string, string]);
  declared(
    sorts.map(([field]) => field),
    settings.sortableAttributes,
    "invalid_search_sort",
    "sortable",
  );

  const q = typeof params.q === "string" ? params.q : "";
  // https://www.meilisearch.com/docs/reference/api/settings#stop-words: ignored in queries.
  const stop = new Set<string>(settings.stopWords ?? []);
  const queryWords = words(q)
    .filter((w) => !stop.has(w))
    .slice(0, 10);
  // https://www.meilisearch.com/docs/learn/engine/prefix: only the last word, and not after a space.
  const prefixLast = /[\p{L}\p{N}]$/u.test(q);
  const isPrefix = (w: string, i: number) => prefixLast && i === queryWords.length - 1 && w.startsWith(queryWords[i]!);
  /** Typos needed for document word `w` to match query word `i` (Infinity: no match). */
  const wordTypos = (w: string, i: number) => (isPrefix(w, i) ? 0 : typos(queryWords[i]!, w, settings));
  const matchesWord = (w: string, i: number) => wordTypos(w, i) !== Infinity;
  const searchable: string[] = params.attributesToSearchOn ?? settings.searchableAttributes ?? ["*"];
  /** Per query word, the fewest typos it matches the document with (Infinity: absent). */
  const matched = (d: Doc) => {
    const fields = searchable.includes("*") ? Object.keys(d) : searchable;
    const text = words(fields.map((a) => asStrings(d[a]).join(" ")).join(" "));
    return queryWords.map((_, i) => Math.min(Infinity, ...text.map((w) => wordTypos(w, i))));
  };

  // https://www.meilisearch.com/docs/reference/api/search#matching-strategy: "last" (the default)
  // returns documents with all words first, then drops words from the end; "all" only
  // full matches; "frequency" drops the most frequent words first (here: any word).
  const strategy = params.matchingStrategy ?? "last";
  type Ranked = { doc: Doc; score: number; typos: number };
  let ranked: Ranked[] = docs.filter(test).map((doc) => ({ doc, score: queryWords.length, typos: 0 }));
  if (queryWords.length) {
    ranked = ranked
      .map(({ doc }) => {
        const found = matched(doc);
        const missing = found.indexOf(Infinity);
        const leading = missing < 0 ? found.length : missing;
        const score =
          strategy === "frequency"
            ? found.filter((t) => t !== Infinity).length
            : strategy === "all"
              ? leading === found.length
                ? leading
                : 0
              : leading;
        return { doc, score, typos: found.filter((t) => t !== Infinity).reduce((n, t) => n + t, 0) };
      })
      .filter((r) => r.score > 0);
    // https://www.meilisearch.com/docs/learn/relevancy/ranking_rules: "words", then "typo".
    ranked.sort((a, b) => b.score - a.score || a.typos - b.typos);
  }
  for (const [field, direction] of sorts.reverse()) {
    ranked.sort((a, b) => (Number(a.doc[field]) - Number(b.doc[field])) * (direction === "desc" ? -1 : 1));
  }
  const distinct = settings.distinctAttribute as string | undefined;
  if (distinct) {
    const seen = new Set<unknown>();
    ranked = ranked.filter(({ doc }) => (seen.has(doc[distinct]) ? false : (seen.add(doc[distinct]), true)));
  }
  // https://www.meilisearch.com/docs/reference/api/settings#pagination: no more than maxTotalHits are reachable.
  ranked = ranked.slice(0, settings.pagination?.maxTotalHits ?? 1000);

  const facetDistribution = facets(
    ranked.map((r) => r.doc),
    params.facets ?? [],
    settings,
  );
  const page = params.page ?? 1;
  const hitsPerPage = params.hitsPerPage ?? params.limit ?? 20;
  const slice = ranked.slice((page - 1) * hitsPerPage, page * hitsPerPage).map(({ doc, score }) => {
    const hit: Doc = {
      ...doc,
      ...formatted(
        doc,
        params,
        queryWords.map((_, i) => (w: string) => matchesWord(w, i)),
      ),
    };
    if (params.showRankingScoreDetails)
      hit._rankingScoreDetails = { words: { order: 0, matchingWords: score, maxMatchingWords: queryWords.length, score: 1 } };
    return hit;
  });
  return params.page !== undefined || params.hitsPerPage !== undefined
    ? {
        hits: slice,
        query: q,
        processingTimeMs: 0,
        page,
        hitsPerPage,
        totalHits: ranked.length,
        totalPages: Math.ceil(ranked.length / hitsPerPage),
        facetDistribution,
      }
    : { hits: slice, query: q, processingTimeMs: 0, limit: hitsPerPage, offset: 0, estimatedTotalHits: ranked.length, facetDistribution };
}

/**
 * https://www.meilisearch.com/docs/reference/api/settings#faceting: at most
 * maxValuesPerFacet values (default 100) per facet, chosen in sortFacetValuesBy
 * order, which is alphabetical unless set to "count" for a facet or for "*".
 */
function facets(docs: Doc[], names: string[], settings: IndexSettings) {
  const max = settings.faceting?.maxValuesPerFacet ?? 100;
  const orderBy: Record<string, string> = settings.faceting?.sortFacetValuesBy ?? {};
  const out: Record<string, Record<string, number>> = {};
  for (const facet of names) {
    const counts = new Map<string, number>();
    for (const d of docs) for (const v of asStrings(d[facet])) counts.set(v, (counts.get(v) ?? 0) + 1);
    const byCount = (orderBy[facet] ?? orderBy["*"] ?? "alpha") === "count";
    const entries = [...counts].sort((a, b) => (byCount && b[1] - a[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    out[facet] = Object.fromEntries(entries.slice(0, max));
  }
  return out;
}

/**
 * `_formatted`: https://www.meilisearch.com/docs/reference/api/search#attributes-to-highlight
 * and #attributes-to-crop — a cropped attribute keeps cropLength words (default 10)
 * around the first match, with cropMarker (default "…") where text was cut.
 */
function formatted(doc: Doc, params: Record<string, any>, matchers: ((w: string) => boolean)[]) {
  const highlight: string[] = params.attributesToHighlight ?? [];
  const crop: string[] = params.attributesToCrop ?? [];
  if (!highlight.length && !crop.length) return {};
  const pre = params.highlightPreTag ?? "<em>";
  const post = params.highlightPostTag ?? "</em>";
  const isMatch = (w: string) => matchers.some((m) => m(w.toLowerCase()));
  const out: Doc = {};
  for (const [key, value] of Object.entries(doc)) {
    if (typeof value !== "string") {
      out[key] = value;
      continue;
    }
    let text = value;
    if (crop.includes(key)) text = cropText(text, params.cropLength ?? 10, params.cropMarker ?? "…", isMatch);
    if (highlight.includes(key)) text = text.replace(/[\p{L}\p{N}]+/gu, (w) => (isMatch(w) ? `${pre}${w}${post}` : w));
    out[key] = text;
  }
  return { _formatted: out };
}

function cropText(text: string, length: number, marker: string, isMatch: (w: string) => boolean) {
  const tokens = [...text.matchAll(/[\p{L}\p{N}]+/gu)];
  if (tokens.length <= length) return text;
  const first = Math.max(
    0,
    tokens.findIndex((t) => isMatch(t[0])),
  );
  const start = Math.min(Math.max(0, first - Math.floor(length / 2)), tokens.length - length);
  const from = start === 0 ? 0 : tokens[start]!.index!;
  const last = tokens[start + length - 1]!;
  const to = start + length >= tokens.length ? text.length : last.index! + last[0].length;
  return `${start > 0 ? marker : ""}${text.slice(from, to)}${to < text.length ? marker : ""}`;
}
