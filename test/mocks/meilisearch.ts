import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { compileFilter, FilterError, type Doc } from "./meilisearch-filter";
import { search, SearchRequestError, type IndexSettings } from "./meilisearch-search";
import { settingsError } from "./meilisearch-settings";

// A local stand-in for a Meilisearch server: enough of the HTTP API for the
// adapter (version, indexes, settings, documents, filters, search, tasks,
// swaps), with every request recorded, as strict as the server about what it
// refuses. Each rule cites the documentation page it follows. Ranking is the
// real engine's job and is checked by the contract suite against a real
// Meilisearch (test/search/meilisearch-engine.test.ts).

export { compileFilter, FilterError };

type Index = { uid: string; primaryKey: string | null; settings: IndexSettings; docs: Map<string, Doc>; createdAt: string };
type TaskError = { message: string; code: string; type: string; link: string };
type Task = {
  uid: number;
  indexUid: string | null;
  status: "enqueued" | "processing" | "succeeded" | "failed";
  type: string;
  details: Record<string, unknown>;
  error: TaskError | null;
  enqueuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  duration: string | null;
  batchUid: number | null;
  canceledBy: null;
  polls: number;
  /** Runs when the task is processed: its error, or null. */
  effect: () => TaskError | null;
};
export type RecordedRequest = { method: string; path: string; query: URLSearchParams; body: unknown; authorization: string | undefined };

const errorBody = (code: string, message: string, type = "invalid_request"): TaskError => ({
  message,
  code,
  type,
  link: `https://docs.meilisearch.com/errors#${code}`,
});

export class FakeMeilisearch {
  readonly requests: RecordedRequest[] = [];
  readonly indexes = new Map<string, Index>();
  private readonly tasks = new Map<number, Task>();
  private taskSeq = 0;
  private server?: Server;
  private port = 0;
  private failures: { type: string; error: TaskError }[] = [];
  /** Polls a task answers "processing" to before it finishes; Infinity never finishes. */
  pollsBeforeDone = 1;
  /** Tasks of these types stay "processing" until releaseTasks(): a busy server. */
  readonly slowTaskTypes = new Set<string>();
  /** What GET /version reports; the API answers like that version where they differ. */
  version = "1.28.0";
  available = true;
  /** Every request answers 500 (an engine that is up but broken). */
  broken = false;
  /** Requests held unanswered (see hold()); the count only grows. */
  held = 0;
  private holding: RegExp | null = null;
  private releases: (() => void)[] = [];

  constructor(private readonly apiKey?: string) {}

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(this.port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop() {
    await new Promise<void>((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  /** Requests whose "METHOD /path" matches wait, unanswered, until release(): a slow engine. */
  hold(pattern: RegExp) {
    this.holding = pattern;
  }

  release() {
    this.holding = null;
    for (const r of this.releases.splice(0)) r();
  }

  /** The next task of this type fails with this error (Meilisearch's code and message). */
  failNextTask(type: string, code = "internal", message = "simulated failure") {
    this.failures.push({ type, error: errorBody(code, message, "internal") });
  }

  releaseTasks() {
    this.slowTaskTypes.clear();
  }

  documents(uid: string): Doc[] {
    return [...(this.indexes.get(uid)?.docs.values() ?? [])];
  }

  requestsTo(method: string, pathPattern: RegExp) {
    return this.requests.filter((r) => r.method === method && pathPattern.test(r.path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    if (!this.available) {
      // Like a server that is down: the connection drops.
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    if (this.broken) return send(res, 500, errorBody("internal", "simulated engine failure", "internal"));
    if (this.holding?.test(`${req.method} ${url.pathname}`)) {
      this.held++;
      await new Promise<void>((resolve) => this.releases.push(resolve));
      // The client gave up (or was killed) meanwhile: like a lost request, nothing is applied.
      if (req.socket.destroyed) return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return send(res, 400, errorBody("malformed_payload", "The JSON payload is malformed."));
    }
    const authorization = req.headers.authorization;
    this.requests.push({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, body, authorization });
    if (this.apiKey) {
      if (!authorization) return send(res, 401, errorBody("missing_authorization_header", "The Authorization header is missing.", "auth"));
      if (authorization !== `Bearer ${this.apiKey}`)
        return send(res, 403, errorBody("invalid_api_key", "The provided API key is invalid.", "auth"));
    }
    try {
      const [status, payload] = this.route(req.method ?? "GET", url, body);
      send(res, status, payload);
    } catch (error) {
      if (error instanceof FilterError) return send(res, 400, errorBody("invalid_search_filter", error.message));
      if (error instanceof SearchRequestError) return send(res, 400, errorBody(error.code, error.message));
      send(res, 500, errorBody("internal", String(error), "internal"));
    }
  }

  private route(method: string, url: URL, body: any): [number, unknown] {
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (method === "GET" && parts[0] === "health") return [200, { status: "available" }];
    // https://www.meilisearch.com/docs/reference/api/version
    if (method === "GET" && parts[0] === "version")
      return [200, { commitSha: "fake", commitDate: "2025-01-01T00:00:00Z", pkgVersion: this.version }];
    if (parts[0] === "tasks" && parts[1] && method === "GET") return this.pollTask(Number(parts[1]));
    if (parts[0] === "swap-indexes" && method === "POST") return this.swap(body);
    if (parts[0] !== "indexes") return [404, errorBody("not_found", "Not found")];
    const uid = parts[1];
    if (!uid && method === "POST") {
      const { uid: newUid, primaryKey } = body as { uid: string; primaryKey?: string };
      return [
        202,
        this.enqueue("indexCreation", newUid, { primaryKey }, () => {
          if (this.indexes.has(newUid)) return errorBody("index_already_exists", `Index \`${newUid}\` already exists.`);
          this.createIndex(newUid, primaryKey ?? null);
          return null;
        }),
      ];
    }
    if (!uid) return [200, { results: [...this.indexes.values()].map(indexObject), total: this.indexes.size }];
    const index = this.indexes.get(uid);
    const sub = parts.slice(2).join("/");
    if (sub === "" && method === "GET")
      return index ? [200, indexObject(index)] : [404, errorBody("index_not_found", `Index \`${uid}\` not found.`)];
    if (sub === "" && method === "DELETE") {
      return [
        202,
        this.enqueue("indexDeletion", uid, {}, () =>
          this.indexes.delete(uid) ? null : errorBody("index_not_found", `Index \`${uid}\` not found.`),
        ),
      ];
    }
    if (sub === "settings" && method === "PATCH") {
      // https://www.meilisearch.com/docs/reference/api/settings#update-settings: the body is
      // checked when the request arrives (400), the settings applied when the task runs.
      const invalid = settingsError(body);
      if (invalid) return [400, errorBody(invalid.code, invalid.message)];
      return [
        202,
        this.enqueue("settingsUpdate", uid, body, () => {
          const target = this.indexes.get(uid) ?? this.createIndex(uid, null);
          target.settings = mergeSettings(target.settings, body);
          return null;
        }),
      ];
    }
    if (sub === "settings" && method === "GET")
      return index ? [200, index.settings] : [404, errorBody("index_not_found", `Index \`${uid}\` not found.`)];
    if (sub === "stats" && method === "GET") {
      return index
        ? [200, { numberOfDocuments: index.docs.size, isIndexing: false, fieldDistribution: {} }]
        : [404, errorBody("index_not_found", `Index \`${uid}\` not found.`)];
    }
    if (sub === "documents" && (method === "POST" || method === "PUT")) {
      const docs = body as Doc[];
      return [
        202,
        this.enqueue("documentAdditionOrUpdate", uid, { receivedDocuments: docs.length }, () => {
          // https://www.meilisearch.com/docs/learn/getting_started/indexes#implicit-index-creation:
          // a missing index is created, with default settings (nothing filterable).
          const target = this.indexes.get(uid) ?? this.createIndex(uid, url.searchParams.get("primaryKey"));
          const key = target.primaryKey ?? url.searchParams.get("primaryKey") ?? "id";
          target.primaryKey = key;
          for (const doc of docs) {
            const id = doc[key];
            if (typeof id !== "string" || !/^[a-zA-Z0-9_-]{1,511}$/.test(id))
              return errorBody("invalid_document_id", `Document identifier \`${String(id)}\` is invalid.`);
          }
          for (const doc of docs) target.docs.set(doc[key] as string, doc);
          return null;
        }),
      ];
    }
    if (sub === "documents/delete" && method === "POST") {
      const filter = (body as { filter: unknown }).filter;
      return [
        202,
        this.enqueue("documentDeletion", uid, { originalFilter: JSON.stringify(filter) }, () => {
          const target = this.indexes.get(uid);
          if (!target) return errorBody("index_not_found", `Index \`${uid}\` not found.`);
          let test: (d: Doc) => boolean;
          const attributes = new Set<string>();
          try {
            test = compileFilter(filter, attributes);
          } catch (error) {
            return errorBody("invalid_document_filter", (error as Error).message);
          }
          // https://www.meilisearch.com/docs/reference/api/documents#delete-documents-by-filter:
          // the filter's attributes must be filterable, checked as the task runs.
          const undeclared = [...attributes].filter((a) => !(target.settings.filterableAttributes ?? []).includes(a));
          if (undeclared.length) return errorBody("invalid_document_filter", `Attribute \`${undeclared[0]}\` is not filterable.`);
          for (const [id, doc] of target.docs) if (test(doc)) target.docs.delete(id);
          return null;
        }),
      ];
    }
    if (sub === "search" && method === "POST") {
      if (!index) return [404, errorBody("index_not_found", `Index \`${uid}\` not found.`)];
      return [200, search([...index.docs.values()], index.settings, body ?? {})];
    }
    return [404, errorBody("not_found", `No route for ${method} ${url.pathname}`)];
  }

  private createIndex(uid: string, primaryKey: string | null): Index {
    const index: Index = { uid, primaryKey, settings: {}, docs: new Map(), createdAt: new Date().toISOString() };
    this.indexes.set(uid, index);
    return index;
  }

  private swap(body: unknown): [number, unknown] {
    const swaps = body as { indexes: [string, string]; rename?: boolean }[];
    // https://www.meilisearch.com/docs/reference/api/indexes#swap-indexes: `rename` exists
    // from v1.18 (https://www.meilisearch.com/docs/changelog/v1.18); older servers refuse unknown fields.
    if (olderThan(this.version, [1, 18]) && swaps.some((s) => "rename" in s)) {
      return [400, errorBody("bad_request", "Unknown field `rename`: expected one of `indexes`")];
    }
    return [
      202,
      this.enqueue("indexSwap", null, { swaps }, () => {
        for (const {
          indexes: [aUid, bUid],
          rename,
        } of swaps) {
          const a = this.indexes.get(aUid);
          const b = this.indexes.get(bUid);
          if (!a || (!b && !rename)) return errorBody("index_not_found", `Index \`${!a ? aUid : bUid}\` not found.`);
          if (rename) {
            if (b) return errorBody("index_already_exists", `Index \`${bUid}\` already exists.`);
            this.indexes.delete(aUid);
            this.indexes.set(bUid, { ...a, uid: bUid });
            continue;
          }
          this.indexes.set(aUid, { ...b!, uid: aUid });
          this.indexes.set(bUid, { ...a, uid: bUid });
        }
        return null;
      }),
    ];
  }

  private enqueue(type: string, indexUid: string | null, details: Record<string, unknown>, apply: () => TaskError | null) {
    const uid = this.taskSeq++;
    const failureAt = this.failures.findIndex((f) => f.type === type);
    const failure = failureAt >= 0 ? this.failures.splice(failureAt, 1)[0]!.error : null;
    const now = new Date().toISOString();
    this.tasks.set(uid, {
      uid,
      indexUid,
      status: "enqueued",
      type,
      details,
      error: null,
      enqueuedAt: now,
      startedAt: null,
      finishedAt: null,
      duration: null,
      batchUid: null,
      canceledBy: null,
      polls: 0,
      effect: failure ? () => failure : apply,
    });
    return { taskUid: uid, indexUid, status: "enqueued", type, enqueuedAt: now };
  }

  /**
   * https://www.meilisearch.com/docs/learn/async/asynchronous_operations: tasks run one after
   * another in the order they were enqueued, and change nothing until they run.
   */
  private processUpTo(uid: number) {
    for (const task of this.tasks.values()) {
      if (task.uid > uid) break;
      if (task.status === "succeeded" || task.status === "failed") continue;
      task.error = task.effect();
      task.status = task.error ? "failed" : "succeeded";
      task.startedAt ??= new Date().toISOString();
      task.finishedAt = new Date().toISOString();
    }
  }

  private pollTask(uid: number): [number, unknown] {
    const task = this.tasks.get(uid);
    if (!task) return [404, errorBody("task_not_found", `Task \`${uid}\` not found.`)];
    task.polls += 1;
    const waiting = [...this.tasks.values()].some(
      (t) => t.uid <= uid && this.slowTaskTypes.has(t.type) && t.status !== "succeeded" && t.status !== "failed",
    );
    if (task.polls > this.pollsBeforeDone && !waiting) {
      this.processUpTo(uid);
    } else if (task.status === "enqueued") {
      task.status = "processing";
      task.startedAt = new Date().toISOString();
    }
    const { polls: _p, effect: _e, ...visible } = task;
    return [200, visible];
  }
}

/**
 * https://www.meilisearch.com/docs/reference/api/settings#update-settings: only the fields
 * given change, nested ones too (faceting, typoTolerance, pagination); null resets a field.
 */
function mergeSettings(current: Record<string, any>, patch: Record<string, any>): Record<string, any> {
  const out = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (typeof value === "object" && !Array.isArray(value) && typeof out[key] === "object" && !Array.isArray(out[key]))
      out[key] = mergeSettings(out[key], value);
    else out[key] = value;
  }
  return out;
}

function olderThan(version: string, [major, minor]: [number, number]) {
  const [a = 0, b = 0] = version.split(".").map((n) => Number.parseInt(n, 10));
  return a < major || (a === major && b < minor);
}

function send(res: ServerResponse, status: number, payload: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(payload));
}

const indexObject = (i: Index) => ({ uid: i.uid, primaryKey: i.primaryKey, createdAt: i.createdAt, updatedAt: i.createdAt });
