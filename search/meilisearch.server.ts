import {
  Meilisearch,
  MeilisearchApiError,
  MeilisearchTaskTimeOutError,
  type EnqueuedTask,
  type Hit,
  type SearchParams,
  type SearchResponse,
  type Task,
} from "meilisearch";
import {
  emptyFacets,
  SearchEngineError,
  type FacetValue,
  type Facets,
  type IndexBuilder,
  type SearchDocument,
  type SearchEngine,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
  type SimilarQuery,
  type SimilarThread,
  type ThreadDocuments,
} from "./engine";
import { escapeHtml, leadingExcerpt, MARK_END, MARK_START, markedToHtml } from "./highlight";
import { buildFilter, filterValue, staleDocumentsFilter } from "./meilisearch-filter";
import { hasMeaningfulWords, normalizeQuery, queryWords } from "./query";
import {
  DEFAULT_PER_PAGE,
  FACET_LIMITS,
  MAX_PER_PAGE,
  MAX_TOTAL_HITS,
  MEILISEARCH_MIN_VERSION,
  POSTS_INDEX_NAME,
  POSTS_INDEX_SETTINGS,
} from "./settings";

// Meilisearch through the official client (D4, docs/decisions/039). Settings
// come from search/settings.ts and are applied by prepare(); every write waits
// for its task, as long as configured, and fails loudly unless the task
// succeeded, so the outbox retries it.

export type MeilisearchEngineOptions = {
  host: string;
  apiKey?: string;
  indexPrefix?: string;
  /** Per HTTP request. */
  requestTimeoutMs?: number;
  /** Per awaited task. */
  taskTimeoutMs?: number;
  taskPollMs?: number;
  /** Further waits, of taskTimeoutMs each, for a reindex batch still being processed. */
  slowTaskRetries?: number;
  /** Documents per addDocuments request. */
  batchSize?: number;
  /** The index was found missing or without its settings and was set up again, empty or stale. */
  onIndexLost?: () => void | Promise<void>;
};

/** Whether a version string ("1.18.0", "1.20.0-rc.1") is older than `minimum`. */
function olderThan(version: string, minimum: string): boolean {
  const parse = (v: string) =>
    v
      .split(/[.-]/)
      .slice(0, 3)
      .map((n) => Number.parseInt(n, 10) || 0);
  const [a, b] = [parse(version), parse(minimum)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/**
 * Whether an error says the index is gone or has lost its settings (a write to a
 * missing index recreates it with nothing filterable): then prepare() again.
 */
function indexLost(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === "index_not_found") return true;
    if (
      typeof code === "string" &&
      /^invalid_(search|document)_(filter|facets|sort)$/.test(code) &&
      /is not (filterable|sortable)/.test(String(message))
    )
      return true;
  }
  return false;
}

const HIT_ATTRIBUTES = [
  "id",
  "threadId",
  "postId",
  "postNumber",
  "title",
  "body",
  "categorySlug",
  "categoryName",
  "tags",
  "solved",
  "isAccepted",
  "authorUsername",
  "createdAt",
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
  private readonly waitOptions: { timeout: number; interval: number };
  private readonly slowTaskRetries: number;
  private readonly onIndexLost?: () => void | Promise<void>;
  private prepared = false;

  constructor(opts: MeilisearchEngineOptions) {
    this.waitOptions = { timeout: opts.taskTimeoutMs ?? 60_000, interval: opts.taskPollMs ?? 50 };
    this.client = new Meilisearch({
      host: opts.host,
      apiKey: opts.apiKey,
      timeout: opts.requestTimeoutMs ?? 10_000,
      defaultWaitOptions: this.waitOptions,
    });
    this.indexUid = `${opts.indexPrefix ?? "backline"}_${POSTS_INDEX_NAME}`;
    this.batchSize = opts.batchSize ?? 1000;
    this.slowTaskRetries = opts.slowTaskRetries ?? 3;
    this.onIndexLost = opts.onIndexLost;
  }

  async prepare() {
    await this.run("prepare", async () => {
      // The reindex swap sends `rename`, which older servers refuse only once the whole new index is built.
      const { pkgVersion } = await this.client.getVersion();
      if (olderThan(pkgVersion, MEILISEARCH_MIN_VERSION)) {
        throw new SearchEngineError(
          `Meilisearch ${pkgVersion} is too old: Backline needs ${MEILISEARCH_MIN_VERSION} or later (see README, Search).`,
        );
      }
      await this.ensureIndex(this.indexUid);
      await this.succeeded(this.client.index(this.indexUid).updateSettings(POSTS_INDEX_SETTINGS), "settings update");
    });
    this.prepared = true;
  }

  async apply(threads: ThreadDocuments[]) {
    if (!threads.length) return;
    // A write must never create the index with default settings (nothing filterable).
    if (!this.prepared) await this.prepare();
    await this.withIndex("apply", async () => {
      const index = this.client.index<SearchDocument>(this.indexUid);
      const tasks: [Promise<EnqueuedTask>, string][] = [];
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
      for (const [task, what] of tasks) await this.succeeded(task, what);
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
      // Every word, as in the PostgreSQL engine; fewer only when nothing has them all (below).
      matchingStrategy: "all",
      attributesToRetrieve: HIT_ATTRIBUTES,
      attributesToHighlight: ["title", "body"],
      attributesToCrop: ["body"],
      cropLength: 32,
      cropMarker: "…",
      highlightPreTag: MARK_START,
      highlightPostTag: MARK_END,
    };
    const res = await this.withIndex("search", async () => {
      const index = this.client.index<SearchDocument>(this.indexUid);
      if (!searching) return index.search(null, params);
      let found: SearchResponse<SearchDocument> = await index.search(q, params);
      // Like the PostgreSQL engine (ADR 039): words are dropped from the end, one at a
      // time, while nothing matches; the trailing space stops prefix matching.
      const words = queryWords(q).map((w) => w.word);
      for (let kept = words.length - 1; kept > 0 && !found.totalHits; kept--) {
        found = await index.search(`${words.slice(0, kept).join(" ")} `, params);
      }
      return found;
    });
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
    const res = await this.withIndex("similar", () =>
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
      await this.succeeded(this.client.index(fresh).updateSettings(POSTS_INDEX_SETTINGS), "settings update");
    });
    return {
      add: (threads) =>
        this.run("reindex", async () => {
          const index = this.client.index<SearchDocument>(fresh);
          const documents = threads.flatMap((t) => t.documents);
          for (let i = 0; i < documents.length; i += this.batchSize) {
            // A busy server may take longer than one timeout for a batch: waiting on beats rebuilding it all.
            const batch = index.addDocuments(documents.slice(i, i + this.batchSize), { primaryKey: "id" });
            await this.succeeded(batch, "adding documents", this.slowTaskRetries);
          }
        }),
      commit: () =>
        this.run("reindex", async () => {
          await this.succeeded(this.client.swapIndexes([{ indexes: [this.indexUid, fresh], rename: false }]), "index swap");
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
    const what = `creating index ${uid}`;
    const task = await this.finished(this.client.createIndex(uid, { primaryKey: "id" }), what);
    // Another app server may have created it in the meantime.
    if (task.status !== "succeeded" && task.error?.code !== "index_already_exists") this.failed(task, what);
  }

  private async deleteIndexIfPresent(uid: string) {
    const what = `deleting index ${uid}`;
    const task = await this.finished(this.client.deleteIndex(uid), what);
    if (task.status !== "succeeded" && task.error?.code !== "index_not_found") this.failed(task, what);
  }

  private async succeeded(enqueued: Promise<EnqueuedTask>, what: string, retries = 0): Promise<Task> {
    const task = await this.finished(enqueued, what, retries);
    if (task.status !== "succeeded") this.failed(task, what);
    return task;
  }

  /**
   * Waits with the configured timeout: the client's own waits default to 5 s
   * where a call is not given one (createIndex never is).
   */
  private async finished(enqueued: Promise<EnqueuedTask>, what: string, retries = 0): Promise<Task> {
    const { taskUid } = await enqueued;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.client.tasks.waitForTask(taskUid, this.waitOptions);
      } catch (error) {
        if (!(error instanceof MeilisearchTaskTimeOutError)) throw error;
        if (attempt >= retries)
          throw new SearchEngineError(`Meilisearch task ${taskUid} (${what}) unfinished: ${error.message}`, { cause: error });
      }
    }
  }

  private failed(task: Task, what: string): never {
    const reason = task.error ? `${task.error.code}: ${task.error.message}` : "no error given";
    throw new SearchEngineError(`Meilisearch task ${task.uid} (${what}) ${task.status}: ${reason}`, { cause: task.error });
  }

  /** Runs an operation on the live index, setting the index up again once if it was lost. */
  private async withIndex<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await this.run(operation, fn);
    } catch (error) {
      if (!indexLost(error)) throw error;
      this.prepared = false;
      await this.prepare();
      await this.onIndexLost?.();
      return this.run(operation, fn);
    }
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
