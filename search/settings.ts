import type { Settings } from "meilisearch";

// Search behaviour in code, shared by both engines so they agree on what a
// query means. Meilisearch gets these as index settings at start and deploy;
// the PostgreSQL engine applies the same numbers itself.

/** docs/product.md §3: one typo from 5 letters, two from 9 (Meilisearch's defaults, pinned here). */
export const TYPO_MIN_WORD_SIZE = { oneTypo: 5, twoTypos: 9 } as const;

/** Like Meilisearch, only the first ten words of a query count. */
export const MAX_QUERY_WORDS = 10;
/** Longer input is cut before any work is done (a pasted log must not cost more than a sentence). */
export const MAX_QUERY_CHARS = 500;
export const MAX_PER_PAGE = 50;
export const DEFAULT_PER_PAGE = 20;
/** Deeper pages are refused; Meilisearch's maxTotalHits is set to the same. */
export const MAX_TOTAL_HITS = 1000;
/** Only this much of a post is indexed; beyond it words are not searchable. */
export const MAX_BODY_CHARS = 20_000;
export const FACET_LIMITS = { category: 50, tag: 30, solved: 2, author: 15 } as const;

// Words too common to help find anything; a query made only of these finds nothing.
export const STOP_WORDS = [
  "a",
  "about",
  "after",
  "again",
  "all",
  "also",
  "am",
  "an",
  "and",
  "any",
  "are",
  "as",
  "at",
  "be",
  "been",
  "before",
  "being",
  "both",
  "but",
  "by",
  "can",
  "could",
  "did",
  "do",
  "does",
  "doing",
  "during",
  "each",
  "for",
  "from",
  "had",
  "has",
  "have",
  "he",
  "her",
  "here",
  "him",
  "his",
  "how",
  "i",
  "if",
  "in",
  "into",
  "is",
  "it",
  "its",
  "just",
  "me",
  "more",
  "most",
  "my",
  "no",
  "not",
  "now",
  "of",
  "off",
  "on",
  "once",
  "only",
  "or",
  "other",
  "our",
  "out",
  "over",
  "same",
  "she",
  "should",
  "so",
  "some",
  "such",
  "than",
  "that",
  "the",
  "their",
  "them",
  "then",
  "there",
  "these",
  "they",
  "this",
  "those",
  "to",
  "too",
  "up",
  "us",
  "very",
  "was",
  "we",
  "were",
  "what",
  "when",
  "where",
  "which",
  "while",
  "who",
  "why",
  "will",
  "with",
  "would",
  "you",
  "your",
];
export const STOP_WORD_SET: ReadonlySet<string> = new Set(STOP_WORDS);

export const SEARCHABLE_ATTRIBUTES = ["title", "tags", "body"];
export const FILTERABLE_ATTRIBUTES = [
  "visibility",
  "threadId",
  "postId",
  "postNumber",
  "categorySlug",
  "tags",
  "solved",
  "isAccepted",
  "authorUsername",
  "createdAt",
];

/**
 * Ranking, most important first: an explicit sort (newest) wins when asked
 * for; then how many query words matched, with fewer typos; title matches
 * above body matches; solved threads and their accepted answers before the
 * rest. The PostgreSQL engine orders by the same keys.
 */
export const RANKING_RULES = [
  "sort",
  "words",
  "typo",
  "attribute",
  "solved:desc",
  "isAccepted:desc",
  "proximity",
  "exactness",
  "createdAt:desc",
];

export const POSTS_INDEX_SETTINGS: Settings = {
  searchableAttributes: SEARCHABLE_ATTRIBUTES,
  filterableAttributes: FILTERABLE_ATTRIBUTES,
  sortableAttributes: ["createdAt"],
  rankingRules: RANKING_RULES,
  // One hit per thread: its best-ranked post.
  distinctAttribute: "threadId",
  typoTolerance: {
    enabled: true,
    minWordSizeForTypos: { oneTypo: TYPO_MIN_WORD_SIZE.oneTypo, twoTypos: TYPO_MIN_WORD_SIZE.twoTypos },
    // The PostgreSQL engine allows no typo in a word with digits ("v2", "4242"): neither does this.
    disableOnNumbers: true,
  },
  stopWords: STOP_WORDS,
  pagination: { maxTotalHits: MAX_TOTAL_HITS },
  // The server's default order is alphabetical: the values shown would be the first
  // names of the alphabet, not the most frequent (ADR 039).
  faceting: { maxValuesPerFacet: 100, sortFacetValuesBy: { "*": "count" } },
};

export const POSTS_INDEX_NAME = "posts";

/** The oldest Meilisearch the adapter works with: swap-indexes takes `rename` from 1.18 (ADR 039). */
export const MEILISEARCH_MIN_VERSION = "1.18.0";
