// The search port: one interface, two real engines (Meilisearch, PostgreSQL
// full-text). Everything outside search/ talks to this, never to an engine.
// See docs/decisions/004 and 013.

/**
 * Who may find a document. Public forum content is "public"; private content
 * (paid-support tickets) would be "maintainers" and is only ever returned when
 * a caller asks for it explicitly.
 */
export type Visibility = "public" | "maintainers";

/** What an indexed post and a hit both carry about the post and its thread. */
type PostFields = {
  /** 0 is the question; answers count up. */
  postNumber: number;
  title: string;
  categorySlug: string;
  categoryName: string;
  tags: string[];
  solved: boolean;
  isAccepted: boolean;
  authorUsername: string;
  /** Milliseconds since the epoch (Meilisearch filters and sorts numbers). */
  createdAt: number;
};

/** One indexed post. Threads are found through their posts and collapsed to one hit each. */
export type SearchDocument = PostFields & {
  /** The post id; the primary key in every engine. */
  id: string;
  threadId: string;
  postId: string;
  /** Plain text of the post (no HTML, no Markdown syntax). */
  body: string;
  visibility: Visibility;
};

/**
 * The whole visible state of one thread: after `apply`, the index holds exactly
 * these documents for the thread (an empty list removes the thread).
 */
export type ThreadDocuments = { threadId: string; documents: SearchDocument[] };

export type SearchSort = "relevance" | "newest";

export type SearchFilters = {
  category?: string;
  /** Every tag listed must be on the thread. */
  tags?: string[];
  solved?: boolean;
  author?: string;
  /** Inclusive lower bound of the post's date. */
  from?: Date;
  /** Exclusive upper bound of the post's date. */
  to?: Date;
};

export type SearchQuery = {
  q: string;
  filters?: SearchFilters;
  sort?: SearchSort;
  /** 1-based. */
  page?: number;
  perPage?: number;
  /** Defaults to public only: private content is never found by accident. */
  visibility?: Visibility[];
};

export type SearchHit = PostFields & {
  threadId: string;
  postId: string;
  /** Escaped HTML; matched words wrapped in <mark>. */
  titleHtml: string;
  /** Escaped HTML excerpt of the matching post; matched words wrapped in <mark>. */
  snippetHtml: string;
};

export type FacetValue = { value: string; count: number };

/** Counts of matching threads per value, with the current filters applied. */
export type Facets = {
  category: FacetValue[];
  tag: FacetValue[];
  solved: FacetValue[];
  author: FacetValue[];
};

export type SearchResult = {
  hits: SearchHit[];
  /** Matching threads. */
  total: number;
  page: number;
  perPage: number;
  facets: Facets;
};

export type SimilarQuery = {
  title: string;
  limit?: number;
  excludeThreadId?: string;
  visibility?: Visibility[];
};

/** A thread close to a draft title, most similar first. */
export type SimilarThread = {
  threadId: string;
  title: string;
  solved: boolean;
  categorySlug: string;
};

/** A fresh index being filled by a reindex; `commit` swaps it in atomically. */
export interface IndexBuilder {
  /** Each thread with all of its documents. */
  add(threads: ThreadDocuments[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface SearchEngine {
  readonly name: "meilisearch" | "postgres";
  /** Creates the index if needed and applies its settings. Idempotent; run at start and deploy. */
  prepare(): Promise<void>;
  /** Makes the index hold exactly the given documents for each listed thread. Idempotent. */
  apply(threads: ThreadDocuments[]): Promise<void>;
  search(query: SearchQuery): Promise<SearchResult>;
  similar(query: SimilarQuery): Promise<SimilarThread[]>;
  /** Documents in the live index (all visibilities). */
  count(): Promise<number>;
  rebuild(): Promise<IndexBuilder>;
  close(): Promise<void>;
}

/** The engine could not do its work (down, rejected a write, timed out); the caller may retry. */
export class SearchEngineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SearchEngineError";
  }
}

export const emptyFacets = (): Facets => ({ category: [], tag: [], solved: [], author: [] });
