import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// A local stand-in for a Meilisearch server: enough of the HTTP API for the
// adapter (indexes, settings, documents, filters, search, tasks, swaps), with
// every request recorded. Tasks are applied in order when enqueued and report
// "enqueued" → "processing" → a final status over successive polls, like the
// real thing. It parses filter expressions with Meilisearch's quoting rules,
// so a filter the adapter builds badly fails here too. Search is deliberately
// naive (whole words and prefixes, no typos): ranking is the real engine's job
// and is checked by the contract suite against a real Meilisearch.

type Doc = Record<string, unknown>;
type Index = { uid: string; primaryKey: string | null; settings: Record<string, unknown>; docs: Map<string, Doc>; createdAt: string };
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
  final: "succeeded" | "failed";
};
export type RecordedRequest = { method: string; path: string; query: URLSearchParams; body: unknown; authorization: string | undefined };

const errorBody = (code: string, message: string, type = "invalid_request"): TaskError => ({
  message, code, type, link: `https://docs.meilisearch.com/errors#${code}`,
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
      if (authorization !== `Bearer ${this.apiKey}`) return send(res, 403, errorBody("invalid_api_key", "The provided API key is invalid.", "auth"));
    }
    try {
      const [status, payload] = this.route(req.method ?? "GET", url, body);
      send(res, status, payload);
    } catch (error) {
      if (error instanceof FilterError) return send(res, 400, errorBody("invalid_search_filter", error.message));
      send(res, 500, errorBody("internal", String(error), "internal"));
    }
  }

  private route(method: string, url: URL, body: any): [number, unknown] {
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (method === "GET" && parts[0] === "health") return [200, { status: "available" }];
    if (parts[0] === "tasks" && parts[1] && method === "GET") return this.pollTask(Number(parts[1]));
    if (parts[0] === "swap-indexes" && method === "POST") {
      const [pair] = body as { indexes: [string, string] }[];
      return [202, this.enqueue("indexSwap", null, { swaps: body }, () => {
        const a = this.indexes.get(pair!.indexes[0]);
        const b = this.indexes.get(pair!.indexes[1]);
        if (!a || !b) return errorBody("index_not_found", `Index \`${!a ? pair!.indexes[0] : pair!.indexes[1]}\` not found.`);
        this.indexes.set(a.uid, { ...b, uid: a.uid });
        this.indexes.set(b.uid, { ...a, uid: b.uid });
        return null;
      })];
    }
    if (parts[0] !== "indexes") return [404, errorBody("not_found", "Not found")];
    const uid = parts[1];
    if (!uid && method === "POST") {
      const { uid: newUid, primaryKey } = body as { uid: string; primaryKey?: string };
      return [202, this.enqueue("indexCreation", newUid, { primaryKey }, () => {
        if (this.indexes.has(newUid)) return errorBody("index_already_exists", `Index \`${newUid}\` already exists.`);
        this.createIndex(newUid, primaryKey ?? null);
        return null;
      })];
    }
    if (!uid) return [200, { results: [...this.indexes.values()].map(indexObject), total: this.indexes.size }];
    const index = this.indexes.get(uid);
    const sub = parts.slice(2).join("/");
    if (sub === "" && method === "GET") return index ? [200, indexObject(index)] : [404, errorBody("index_not_found", `Index \`${uid}\` not found.`)];
    if (sub === "" && method === "DELETE") {
      return [202, this.enqueue("indexDeletion", uid, {}, () => (this.indexes.delete(uid) ? null : errorBody("index_not_found", `Index \`${uid}\` not found.`)))];
    }
    if (sub === "settings" && method === "PATCH") {
      return [202, this.enqueue("settingsUpdate", uid, body, () => {
        const target = this.indexes.get(uid) ?? this.createIndex(uid, null);
        target.settings = { ...target.settings, ...body };
        return null;
      })];
    }
    if (sub === "settings" && method === "GET") return index ? [200, index.settings] : [404, errorBody("index_not_found", `Index \`${uid}\` not found.`)];
    if (sub === "stats" && method === "GET") {
      return index ? [200, { numberOfDocuments: index.docs.size, isIndexing: false, fieldDistribution: {} }] : [404, errorBody("index_not_found", `Index \`${uid}\` not found.`)];
    }
    if (sub === "documents" && (method === "POST" || method === "PUT")) {
      const docs = body as Doc[];
      return [202, this.enqueue("documentAdditionOrUpdate", uid, { receivedDocuments: docs.length }, () => {
        const target = this.indexes.get(uid) ?? this.createIndex(uid, url.searchParams.get("primaryKey"));
        const key = target.primaryKey ?? url.searchParams.get("primaryKey") ?? "id";
        target.primaryKey = key;
        for (const doc of docs) {
          const id = doc[key];
          if (typeof id !== "string" || !/^[a-zA-Z0-9_-]{1,511}$/.test(id)) return errorBody("invalid_document_id", `Document identifier \`${String(id)}\` is invalid.`);
        }
        for (const doc of docs) target.docs.set(doc[key] as string, doc);
        return null;
      })];
    }
    if (sub === "documents/delete" && method === "POST") {
      const filter = (body as { filter: unknown }).filter;
      return [202, this.enqueue("documentDeletion", uid, { originalFilter: JSON.stringify(filter) }, () => {
        const target = this.indexes.get(uid);
        if (!target) return errorBody("index_not_found", `Index \`${uid}\` not found.`);
        let test: (d: Doc) => boolean;
        try {
          test = compileFilter(filter);
        } catch (error) {
          return errorBody("invalid_document_filter", (error as Error).message);
        }
        for (const [id, doc] of target.docs) if (test(doc)) target.docs.delete(id);
        return null;
      })];
    }
    if (sub === "search" && method === "POST") {
      if (!index) return [404, errorBody("index_not_found", `Index \`${uid}\` not found.`)];
      return [200, search(index, body ?? {})];
    }
    return [404, errorBody("not_found", `No route for ${method} ${url.pathname}`)];
  }

  private createIndex(uid: string, primaryKey: string | null): Index {
    const index: Index = { uid, primaryKey, settings: {}, docs: new Map(), createdAt: new Date().toISOString() };
    this.indexes.set(uid, index);
    return index;
  }

  private enqueue(type: string, indexUid: string | null, details: Record<string, unknown>, apply: () => TaskError | null) {
    const uid = this.taskSeq++;
    const failureAt = this.failures.findIndex((f) => f.type === type);
    let error: TaskError | null;
    if (failureAt >= 0) {
      error = this.failures.splice(failureAt, 1)[0]!.error;
    } else {
      error = apply();
    }
    const now = new Date().toISOString();
    this.tasks.set(uid, {
      uid, indexUid, status: "enqueued", type, details, error, enqueuedAt: now, startedAt: null, finishedAt: null,
      duration: null, batchUid: null, canceledBy: null, polls: 0, final: error ? "failed" : "succeeded",
    });
    return { taskUid: uid, indexUid, status: "enqueued", type, enqueuedAt: now };
  }

  private pollTask(uid: number): [number, unknown] {
    const task = this.tasks.get(uid);
    if (!task) return [404, errorBody("task_not_found", `Task \`${uid}\` not found.`)];
    task.polls += 1;
    if (task.polls > this.pollsBeforeDone) {
      task.status = task.final;
      task.finishedAt ??= new Date().toISOString();
    } else {
      task.status = "processing";
      task.startedAt ??= new Date().toISOString();
    }
    const { polls: _p, final: _f, ...visible } = task;
    return [200, { ...visible, error: task.status === "failed" ? task.error : null }];
  }
}

function send(res: ServerResponse, status: number, payload: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(payload));
}

const indexObject = (i: Index) => ({ uid: i.uid, primaryKey: i.primaryKey, createdAt: i.createdAt, updatedAt: i.createdAt });

// --- Filters ----------------------------------------------------------------

export class FilterError extends Error {}

type Token = { kind: "word" | "string" | "op" | "punct"; value: string };

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"' || c === "'") {
      let value = "";
      i++;
      for (;;) {
        if (i >= input.length) throw new FilterError(`Expected \`${c}\` to close the value at \`${input}\`.`);
        const ch = input[i]!;
        if (ch === "\\") {
          const next = input[i + 1];
          if (next === undefined) throw new FilterError("Dangling escape in filter.");
          value += next;
          i += 2;
          continue;
        }
        if (ch === c) { i++; break; }
        value += ch;
        i++;
      }
      tokens.push({ kind: "string", value });
      continue;
    }
    const op = /^(!=|>=|<=|=|>|<)/.exec(input.slice(i));
    if (op) { tokens.push({ kind: "op", value: op[1]! }); i += op[1]!.length; continue; }
    if ("()[],".includes(c)) { tokens.push({ kind: "punct", value: c }); i++; continue; }
    const word = /^[\p{L}\p{N}_.-]+/u.exec(input.slice(i));
    if (!word) throw new FilterError(`Unexpected character \`${c}\` in filter \`${input}\`.`);
    tokens.push({ kind: "word", value: word[0] });
    i += word[0].length;
  }
  return tokens;
}

function compileExpression(input: string): (d: Doc) => boolean {
  const tokens = lex(input);
  let pos = 0;
  const peek = () => tokens[pos];
  const keyword = (w: string) => peek()?.kind === "word" && peek()!.value === w;
  const expect = (value: string) => {
    const t = tokens[pos++];
    if (!t || t.value !== value) throw new FilterError(`Expected \`${value}\` in filter \`${input}\`.`);
  };
  const value = (): string => {
    const t = tokens[pos++];
    if (!t || (t.kind !== "word" && t.kind !== "string")) throw new FilterError(`Expected a value in filter \`${input}\`.`);
    if (t.kind === "word" && ["AND", "OR", "NOT", "IN", "TO"].includes(t.value)) throw new FilterError(`\`${t.value}\` is a reserved keyword.`);
    return t.value;
  };
  const list = (): string[] => {
    expect("[");
    const values: string[] = [];
    while (peek()?.value !== "]") {
      values.push(value());
      if (peek()?.value === ",") pos++;
    }
    expect("]");
    return values;
  };
  const condition = (): ((d: Doc) => boolean) => {
    const attr = value();
    if (keyword("NOT")) {
      pos++;
      if (!keyword("IN")) throw new FilterError("Expected IN after NOT.");
      pos++;
      const values = list();
      return (d) => !matchesAny(d[attr], values);
    }
    if (keyword("IN")) {
      pos++;
      const values = list();
      return (d) => matchesAny(d[attr], values);
    }
    const op = tokens[pos++];
    if (!op || op.kind !== "op") throw new FilterError(`Expected an operator after \`${attr}\` in filter \`${input}\`.`);
    const v = value();
    return (d) => compare(d[attr], op.value, v);
  };
  const primary = (): ((d: Doc) => boolean) => {
    if (keyword("NOT")) {
      pos++;
      const inner = primary();
      return (d) => !inner(d);
    }
    if (peek()?.value === "(") {
      pos++;
      const inner = or();
      expect(")");
      return inner;
    }
    return condition();
  };
  const and = () => {
    const parts = [primary()];
    while (keyword("AND")) { pos++; parts.push(primary()); }
    return (d: Doc) => parts.every((p) => p(d));
  };
  const or = () => {
    const parts = [and()];
    while (keyword("OR")) { pos++; parts.push(and()); }
    return (d: Doc) => parts.some((p) => p(d));
  };
  const result = or();
  if (pos !== tokens.length) throw new FilterError(`Found unexpected characters at the end of the filter: \`${input}\`.`);
  return result;
}

const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);
const matchesAny = (field: unknown, values: string[]) => asStrings(field).some((f) => values.includes(f));

function compare(field: unknown, op: string, value: string): boolean {
  if (op === "=") return asStrings(field).includes(value);
  if (op === "!=") return !asStrings(field).includes(value);
  const a = Number(field);
  const b = Number(value);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  return op === ">" ? a > b : op === ">=" ? a >= b : op === "<" ? a < b : a <= b;
}

/** A Meilisearch `filter` (string, or array of strings and arrays: outer AND, inner OR). */
export function compileFilter(filter: unknown): (d: Doc) => boolean {
  if (filter === undefined || filter === null) return () => true;
  if (typeof filter === "string") return compileExpression(filter);
  if (Array.isArray(filter)) {
    const parts = filter.map((f) => (Array.isArray(f) ? ((d: Doc) => f.some((g) => compileExpression(String(g))(d))) : compileExpression(String(f))));
    return (d) => parts.every((p) => p(d));
  }
  throw new FilterError("Invalid filter.");
}

// --- Search -----------------------------------------------------------------

const words = (text: string) => (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

function search(index: Index, params: Record<string, any>) {
  const test = compileFilter(params.filter);
  const q = typeof params.q === "string" ? params.q : "";
  const queryWords = words(q);
  const searchable = (params.attributesToSearchOn as string[] | undefined) ?? (index.settings.searchableAttributes as string[] | undefined) ?? ["title", "body"];
  const pre = params.highlightPreTag ?? "<em>";
  const post = params.highlightPostTag ?? "</em>";
  const matchesWord = (w: string, qw: string, last: boolean) => w === qw || (last && w.startsWith(qw));
  let docs = [...index.docs.values()].filter(test);
  if (queryWords.length) {
    docs = docs.filter((d) => {
      const text = words(searchable.map((a) => asStrings(d[a]).join(" ")).join(" "));
      return queryWords.every((qw, i) => text.some((w) => matchesWord(w, qw, i === queryWords.length - 1)));
    });
  }
  const [sortField, direction] = String(params.sort?.[0] ?? "").split(":");
  if (sortField) docs.sort((a, b) => (Number(a[sortField]) - Number(b[sortField])) * (direction === "desc" ? -1 : 1));
  const distinct = index.settings.distinctAttribute as string | undefined;
  if (distinct) {
    const seen = new Set<unknown>();
    docs = docs.filter((d) => (seen.has(d[distinct]) ? false : (seen.add(d[distinct]), true)));
  }
  const facetDistribution: Record<string, Record<string, number>> = {};
  for (const facet of (params.facets as string[] | undefined) ?? []) {
    facetDistribution[facet] = {};
    for (const d of docs) for (const v of asStrings(d[facet])) facetDistribution[facet][v] = (facetDistribution[facet][v] ?? 0) + 1;
  }
  const highlight = (text: string) =>
    text.replace(/[\p{L}\p{N}]+/gu, (w) => (queryWords.some((qw, i) => matchesWord(w.toLowerCase(), qw, i === queryWords.length - 1)) ? `${pre}${w}${post}` : w));
  const toHit = (d: Doc) => {
    const hit: Doc = { ...d };
    if (params.attributesToHighlight) {
      hit._formatted = Object.fromEntries(
        Object.entries(d).map(([k, v]) => [k, (params.attributesToHighlight as string[]).includes(k) && typeof v === "string" ? highlight(v) : v]),
      );
    }
    return hit;
  };
  const page = params.page ?? 1;
  const hitsPerPage = params.hitsPerPage ?? params.limit ?? 20;
  const slice = docs.slice((page - 1) * hitsPerPage, page * hitsPerPage).map(toHit);
  return params.page !== undefined || params.hitsPerPage !== undefined
    ? { hits: slice, query: q, processingTimeMs: 0, page, hitsPerPage, totalHits: docs.length, totalPages: Math.ceil(docs.length / hitsPerPage), facetDistribution }
    : { hits: slice, query: q, processingTimeMs: 0, limit: hitsPerPage, offset: 0, estimatedTotalHits: docs.length, facetDistribution };
}
