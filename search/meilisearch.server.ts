import { Meilisearch, MeilisearchApiError, type EnqueuedTaskPromise, type Hit, type SearchParams, type Task } from "meilisearch";
import {
  emptyFacets,
  SearchEngineError,
  type FacetValue,
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
import { escapeHtml, leadingExcerpt, MARK_END, MARK_START, markedToHtml } from "./highlight";
import { hasMeaningfulWords, normalizeQuery } from "./query";
import { DEFAULT_PER_PAGE, FACET_LIMITS, MAX_PER_PAGE, MAX_TOTAL_HITS, POSTS_INDEX_NAME, POSTS_INDEX_SETTINGS } from "./settings";

// Meilisearch through the official client (D4). Settings come from
// search/settings.ts and are applied by prepare(); every write waits for its
// task and fails loudly unless the task succeeded, so the outbox retries it.

export type MeilisearchEngineOptions = {
  host: string;
  apiKey?: string;
  indexPrefix?: string;
  /** Per HTTP request. */
  requestTimeoutMs?: number;
  /** Per awaited task. */
  taskTimeoutMs?: number;
  taskPollMs?: number;
  /** Documents per addDocuments request. */
  batchSize?: number;
};

/**
 * A value for a Meilisearch filter expression, always double-quoted: a value
 * can never end the string and add syntax of its own (no filter injection).
 */
export function filterValue(value: string): string {
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, "");
  return `"${clean.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

const filterList = (values: string[]) => `[${values.map(filterValue).join(", ")}]`;

function dateNumber(date: Date): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new SearchEngineError("Invalid date filter.");
  return Math.trunc(ms);
}

/** Filters as Meilisearch expressions, ANDed; visibility always comes first. */
export function buildFilter(filters: SearchFilters, visibility: Visibility[]): string[] {
  const out = [`visibility IN ${filterList(visibility.length ? visibility : ["public"])}`];
  if (filters.category) out.push(`categorySlug = ${filterValue(filters.category)}`);
  for (const tag of filters.tags ?? []) out.push(`tags = ${filterValue(tag)}`);
  if (filters.solved !== undefined) out.push(`solved = ${filters.solved ? "true" : "false"}`);
  if (filters.author) out.push(`authorUsername = ${filterValue(filters.author)}`);
  if (filters.from) out.push(`createdAt >= ${dateNumber(filters.from)}`);
  if (filters.to) out.push(`createdAt < ${dateNumber(filters.to)}`);
  return out;
}

/** Removes, per thread, every document that is no longer part of it. */
export function staleDocumentsFilter(threads: ThreadDocuments[]): string {
  const gone = threads.filter((t) => !t.documents.length).map((t) => t.threadId);
  const parts = threads
    .filter((t) => t.documents.length)
    .map((t) => `(threadId = ${filterValue(t.threadId)} AND postId NOT IN ${filterList(t.documents.map((d) => d.id))})`);
  if (gone.length) parts.unshift(`threadId IN ${filterList(gone)}`);
  return parts.join(" OR ");
}

const HIT_ATTRIBUTES = [
  "id", "threadId", "postId", "postNumber", "title", "body", "categorySlug", "categoryName", "tags", "solved",
  "isAccepted", "authorUsername", "createdAt",
];

function facetValues(distribution: Record<string, number> | undefined, limit: number): FacetValue[] {
  return Object.entries(distribution ?? {})
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value))
    .slice(0, limit);
}

export class MeilisearchEngine implements SearchEngine {
  readonly name = "meilisearch" as const;
  readonly indexUid: string;
  private readonly client: Meilisearch;
  private readonly batchSize: number;
  private prepared = false;

  constructor(opts: MeilisearchEngineOptions) {
    this.client = new Meilisearch({
      host: opts.host,
      apiKey: opts.apiKey,
      timeout: opts.requestTimeoutMs ?? 10_000,
      defaultWaitOptions: { timeout: opts.taskTimeoutMs ?? 60_000, interval: opts.taskPollMs ?? 50 },
    });
    this.indexUid = `${opts.indexPrefix ?? "backline"}_${POSTS_INDEX_NAME}`;
    this.batchSize = opts.batchSize ?? 1000;
  }

  async prepare() {
    await this.run("prepare", async () => {
      await this.ensureIndex(this.indexUid);
      await this.wait(this.client.index(this.indexUid).updateSettings(POSTS_INDEX_SETTINGS), "settings update");
    });
    this.prepared = true;
  }

  async apply(threads: ThreadDocuments[]) {
    if (!threads.length) return;
    // A write must never create the index with default settings (nothing filterable).
    if (!this.prepared) await this.prepare();
    await this.run("apply", async () => {
      const index = this.client.index<SearchDocument>(this.indexUid);
      const tasks: [EnqueuedTaskPromise, string][] = [];
      const documents = threads.flatMap((t) => t.documents);
      // Additions first, then removals: Meilisearch runs an index's tasks in
      // order, so a thread is never missing from results in between.
      for (let i = 0; i < documents.length; i += this.batchSize) {
        const batch = documents.slice(i, i + this.batchSize);
        tasks.push([index.addDocuments(batch, { primaryKey: "id" }), `adding ${batch.length} documents`]);
        await tasks.at(-1)![0];
      }
      for (let i = 0; i < threads.length; i += 50) {
        const filter = staleDocumentsFilter(threads.slice(i, i + 50));
        tasks.push([index.deleteDocuments({ filter }), "removing stale documents"]);
        await tasks.at(-1)![0];
      }
      for (const [task, what] of tasks) await this.wait(task, what);
    });
  }

  async search(query: SearchQuery): Promise<SearchResult> {
    const q = normalizeQuery(query.q);
    const filters = query.filters ?? {};
    const perPage = Math.min(Math.max(1, Math.trunc(query.perPage ?? DEFAULT_PER_PAGE)), MAX_PER_PAGE);
    const page = Math.max(1, Math.trunc(query.page ?? 1));
    const empty: SearchResult = { hits: [], total: 0, page, perPage, facets: emptyFacets() };
    if ((page - 1) * perPage + perPage > MAX_TOTAL_HITS) return empty;
    const hasFilters = Object.values(filters).some((v) => v !== undefined && !(Array.isArray(v) && v.length === 0));
    // Only punctuation or stop words: Meilisearch would answer with everything.
    const searching = hasMeaningfulWords(q);
    if (!searching && !hasFilters) return empty;
    const newest = query.sort === "newest" || !searching;

    const params: SearchParams = {
      filter: buildFilter(filters, query.visibility ?? ["public"]),
      facets: ["categorySlug", "tags", "solved", "authorUsername"],
      page,
      hitsPerPage: perPage,
      sort: newest ? ["createdAt:desc"] : undefined,
      matchingStrategy: newest ? "all" : "last",
      attributesToRetrieve: HIT_ATTRIBUTES,
      attributesToHighlight: ["title", "body"],
      attributesToCrop: ["body"],
      cropLength: 32,
      cropMarker: "…",
      highlightPreTag: MARK_START,
      highlightPostTag: MARK_END,
    };
    const res = await this.run("search", () => this.client.index<SearchDocument>(this.indexUid).search(searching ? q : null, params));
    const distribution = res.facetDistribution ?? {};
    const facets: Facets = {
      category: facetValues(distribution.categorySlug, FACET_LIMITS.category),
      tag: facetValues(distribution.tags, FACET_LIMITS.tag),
      solved: facetValues(distribution.solved, FACET_LIMITS.solved),
      author: facetValues(distribution.authorUsername, FACET_LIMITS.author),
    };
    return {
      hits: res.hits.map((hit) => toHit(hit, searching)),
      total: Math.min((res as { totalHits?: number }).totalHits ?? res.hits.length, MAX_TOTAL_HITS),
      page,
      perPage,
      facets,
    };
  }

  async similar(query: SimilarQuery): Promise<SimilarThread[]> {
    const q = normalizeQuery(query.title);
    if (!hasMeaningfulWords(q)) return [];
    const filter = [...buildFilter({}, query.visibility ?? ["public"]), "postNumber = 0"];
    if (query.excludeThreadId) filter.push(`threadId != ${filterValue(query.excludeThreadId)}`);
    const res = await this.run("similar", () =>
      this.client.index<SearchDocument>(this.indexUid).search(q, {
        filter,
        limit: Math.min(Math.max(1, query.limit ?? 10), 50),
        matchingStrategy: "frequency",
        // A draft title is compared with titles, as the PostgreSQL engine does.
        attributesToSearchOn: ["title"],
        attributesToRetrieve: ["threadId", "title", "solved", "categorySlug"],
        showRankingScoreDetails: true,
      }),
    );
    return res.hits
      .filter((hit) => {
        // A draft title shares most of its words with a thread worth showing.
        const words = (hit._rankingScoreDetails as { words?: { matchingWords: number; maxMatchingWords: number } } | undefined)?.words;
        return !words || words.matchingWords >= Math.ceil(words.maxMatchingWords / 2);
      })
      .map((hit) => ({ threadId: hit.threadId, title: hit.title, solved: hit.solved, categorySlug: hit.categorySlug }));
  }

  async count(): Promise<number> {
    return this.run("count", async () => {
      try {
        return (await this.client.index(this.indexUid).getStats()).numberOfDocuments;
      } catch (error) {
        if (error instanceof MeilisearchApiError && error.cause?.code === "index_not_found") return 0;
        throw error;
      }
    });
  }

  async rebuild(): Promise<IndexBuilder> {
    const fresh = `${this.indexUid}_reindex`;
    await this.run("reindex", async () => {
      await this.ensureIndex(this.indexUid);
      await this.deleteIndexIfPresent(fresh);
      await this.ensureIndex(fresh);
      await this.wait(this.client.index(fresh).updateSettings(POSTS_INDEX_SETTINGS), "settings update");
    });
    return {
      add: (threads) =>
        this.run("reindex", async () => {
          const index = this.client.index<SearchDocument>(fresh);
          const documents = threads.flatMap((t) => t.documents);
          for (let i = 0; i < documents.length; i += this.batchSize) {
            await this.wait(index.addDocuments(documents.slice(i, i + this.batchSize), { primaryKey: "id" }), "adding documents");
          }
        }),
      commit: () =>
        this.run("reindex", async () => {
          await this.wait(this.client.swapIndexes([{ indexes: [this.indexUid, fresh], rename: false }]), "index swap");
          await this.deleteIndexIfPresent(fresh);
        }),
      abort: () => this.run("reindex", () => this.deleteIndexIfPresent(fresh)),
    };
  }

  async close() {}

  private async ensureIndex(uid: string) {
    try {
      await this.client.getRawIndex(uid);
      return;
    } catch (error) {
      if (!(error instanceof MeilisearchApiError && error.cause?.code === "index_not_found")) throw error;
    }
    const task = await this.client.createIndex(uid, { primaryKey: "id" }).waitTask();
    // Another app server may have created it in the meantime.
    if (task.status !== "succeeded" && task.error?.code !== "index_already_exists") this.failed(task, `creating index ${uid}`);
  }

  private async deleteIndexIfPresent(uid: string) {
    const task = await this.client.deleteIndex(uid).waitTask();
    if (task.status !== "succeeded" && task.error?.code !== "index_not_found") this.failed(task, `deleting index ${uid}`);
  }

  private async wait(enqueued: EnqueuedTaskPromise, what: string): Promise<Task> {
    const task = await enqueued.waitTask();
    if (task.status !== "succeeded") this.failed(task, what);
    return task;
  }

  private failed(task: Task, what: string): never {
    const reason = task.error ? `${task.error.code}: ${task.error.message}` : "no error given";
    throw new SearchEngineError(`Meilisearch task ${task.uid} (${what}) ${task.status}: ${reason}`);
  }

  private async run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof SearchEngineError) throw error;
      throw new SearchEngineError(`Meilisearch ${operation} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

function toHit(hit: Hit<SearchDocument>, searched: boolean): SearchHit {
  const formatted = hit._formatted as Partial<Record<"title" | "body", string>> | undefined;
  return {
    threadId: hit.threadId,
    postId: hit.postId,
    postNumber: hit.postNumber,
    title: hit.title,
    titleHtml: formatted?.title !== undefined ? markedToHtml(formatted.title) : escapeHtml(hit.title),
    snippetHtml: searched && formatted?.body !== undefined ? markedToHtml(formatted.body) : leadingExcerpt(hit.body ?? ""),
    categorySlug: hit.categorySlug,
    categoryName: hit.categoryName,
    tags: hit.tags ?? [],
    solved: hit.solved,
    isAccepted: hit.isAccepted,
    authorUsername: hit.authorUsername,
    createdAt: hit.createdAt,
  };
}
