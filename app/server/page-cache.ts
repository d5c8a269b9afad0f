import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Request as ExpressRequest } from "express";
import pg from "pg";
import { trackViewer } from "../services/viewer-context.server";
import type { GzipTemplate } from "./gzip-with-nonce";
import type { SlottedPage } from "./member-page";

// An in-process cache of anonymous responses for public pages, in front of
// Remix rendering (docs/decisions/017-caching-anonymous-pages.md).
//
// Correctness rests on a content version: a PostgreSQL sequence that deferred
// triggers move whenever a thread, post, category, tag, user or tier changes
// (migration content_version). Every server polls it, so a write on any server
// or by any job reaches every cache within POLL_MS; writes through this server
// also invalidate at once, after their response is sent. An entry is served
// only while the version it was rendered under is still current, and never
// longer than MAX_AGE_MS. When the version cannot be read, nothing is cached.

const POLL_MS = 250;
const MAX_AGE_MS = 60_000;
const STALE_VERSION_MS = 5_000;
const MAX_BYTES = 32 * 1024 * 1024;
const MAX_ENTRY_BYTES = 2 * 1024 * 1024;

/** Public pages and public read APIs whose anonymous response is the same for every visitor. */
const PUBLIC_PATHS = [
  /^\/$/,
  /^\/(latest|top|unanswered)$/,
  /^\/c\/[^/]+$/,
  /^\/t\/[^/]+(\/[^/]+)?$/,
  /^\/tags(\/[^/]+)?$/,
  /^\/u\/[^/]+$/,
  /^\/(latest|sitemap|robots)\.(rss|atom|xml|txt)$/,
  /^\/(c|t)\/[^/]+\/feed\.(rss|atom)$/,
  /^\/api\/v1\/threads(\/[^/]+)?$/,
  /^\/api\/v1\/categories(\/[^/]+)?$/,
  // Search results are public content too; the index moves the version when it changes (ADR 020).
  /^\/search$/,
  /^\/api\/v1\/search$/,
];
const STORABLE_TYPES = /^(text\/html|application\/json|application\/(rss|atom)\+xml|application\/xml|text\/xml|text\/plain)\b/;
const SESSION_COOKIE = "__session";
// The session cookie is read by Remix with the `cookie` package's parser: the bypass asks the very same copy
// whether the cookie is there, so every spelling that signs someone in (`__session =…`, quoted values, odd
// separators, several Cookie headers) also skips the cache (docs/decisions/023).
const remixRequire = createRequire(createRequire(import.meta.url).resolve("@remix-run/server-runtime"));
const parseCookies = (remixRequire("cookie") as typeof import("cookie")).parse;

export type CachedResponse = {
  status: number;
  headers: [string, string][];
  body: Buffer;
  etag: string;
  version: string;
  storedAt: number;
  /** The body's text between nonce placeholders, found on the first hit and sent around each response's nonce (http.ts). */
  pieces?: Buffer[];
  /** Made on the first request that accepts gzip, then shared by every later one (http.ts). */
  gzip?: GzipTemplate;
  /** The same with the member's viewer slot as one more hole, for a thread page (member-page.ts). */
  slotted?: SlottedPage;
};

type Fetched = { entry: CachedResponse | null; response?: Response; hit: boolean; personal?: boolean };

export function isPublicPath(path: string) {
  return PUBLIC_PATHS.some((re) => re.test(path));
}

/**
 * Signed in (session cookie) or an API client (any Authorization header, whatever its scheme or value):
 * never served from or stored in the cache.
 */
export function hasCredentials(req: Pick<ExpressRequest, "headers">) {
  if (req.headers.authorization !== undefined) return true;
  const cookie = req.headers.cookie as string | string[] | undefined;
  if (cookie === undefined) return false;
  // Node joins repeated Cookie headers with "; ", and so do the Request headers Remix reads.
  const header = Array.isArray(cookie) ? cookie.join("; ") : cookie;
  return Object.prototype.hasOwnProperty.call(parseCookies(header), SESSION_COOKIE);
}

export function isCacheable(req: Pick<ExpressRequest, "method" | "path" | "headers">) {
  return (req.method === "GET" || req.method === "HEAD") && isPublicPath(req.path) && !hasCredentials(req);
}

export function etagFor(body: Buffer) {
  return `"${createHash("sha1").update(body).digest("base64url")}"`;
}

export function etagMatches(ifNoneMatch: string | undefined, etag: string) {
  if (!ifNoneMatch) return false;
  const bare = etag.replace(/^W\//, "");
  return ifNoneMatch.split(",").some((t) => t.trim() === "*" || t.trim().replace(/^W\//, "") === bare);
}

export class PageCache {
  private entries = new Map<string, CachedResponse>();
  private bytes = 0;
  private inflight = new Map<string, Promise<CachedResponse | null>>();
  private dbVersion: string | null = null;
  private versionReadAt = 0;
  private localEpoch = 0;
  private timer: NodeJS.Timeout | undefined;
  private client: pg.Client | undefined;
  private stopped = false;
  hits = 0;
  misses = 0;

  constructor(
    private readonly databaseUrl: string | undefined,
    private readonly now = Date.now,
  ) {}

  start() {
    if (!this.databaseUrl || this.timer) return;
    const tick = async () => {
      await this.poll();
      if (!this.stopped) this.timer = setTimeout(tick, POLL_MS).unref();
    };
    void tick();
  }

  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.client?.end().catch(() => {});
    this.client = undefined;
  }

  private async poll() {
    try {
      if (!this.client) {
        const client = new pg.Client({ connectionString: this.databaseUrl, application_name: "backline-page-cache" });
        client.on("error", () => {
          if (this.client === client) this.client = undefined;
        });
        await client.connect();
        this.client = client;
      }
      const { rows } = await this.client.query<{ v: string }>(
        `select (case when is_called then last_value else 0 end)::text as v from "backline_content_version"`,
      );
      this.setDbVersion(rows[0]!.v);
    } catch {
      // Unknown version: stop serving from the cache until it can be read again.
      const client = this.client;
      this.client = undefined;
      await client?.end().catch(() => {});
    }
  }

  /** Exposed for tests; the poller calls it. */
  setDbVersion(v: string) {
    this.versionReadAt = this.now();
    if (v !== this.dbVersion) {
      this.dbVersion = v;
      this.clear();
    }
  }

  /** A write went through this server: forget everything at once. */
  invalidate() {
    this.localEpoch++;
    this.clear();
  }

  private clear() {
    this.entries.clear();
    this.bytes = 0;
  }

  /** The version to stamp a render with, or null when the cache must be bypassed. */
  currentVersion(): string | null {
    if (this.dbVersion === null || this.now() - this.versionReadAt > STALE_VERSION_MS) return null;
    return `${this.dbVersion}.${this.localEpoch}`;
  }

  get(key: string): CachedResponse | undefined {
    const version = this.currentVersion();
    const entry = this.entries.get(key);
    if (!entry || !version) return undefined;
    if (entry.version !== version || this.now() - entry.storedAt > MAX_AGE_MS) {
      this.delete(key);
      return undefined;
    }
    // Least recently used goes first: re-insert on every hit.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  private delete(key: string) {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.body.length;
  }

  private set(key: string, entry: CachedResponse) {
    // A write landed while this page rendered: it may show the old content.
    if (entry.version !== this.currentVersion()) return;
    this.delete(key);
    this.entries.set(key, entry);
    this.bytes += entry.body.length;
    for (const [k] of this.entries) {
      if (this.bytes <= MAX_BYTES) break;
      this.delete(k);
    }
  }

  /**
   * The cached response for `key`, or `render()`'s when it may be stored.
   * Concurrent misses for one key wait for a single render. `personal` says the
   * render looked a viewer up: it was neither stored nor shared, and is only
   * this caller's to send, privately.
   */
  /** The stored entry for `key`, counted as a hit; undefined when there is none (nothing is rendered). */
  hit(key: string): CachedResponse | undefined {
    const cached = this.get(key);
    if (cached) this.hits++;
    return cached;
  }

  async fetch(key: string, render: () => Promise<Response>): Promise<Fetched> {
    const cached = this.get(key);
    if (cached) {
      this.hits++;
      return { entry: cached, hit: true };
    }
    const version = this.currentVersion();
    if (!version) return this.renderAlone(render);
    // A render begun before a write may show the old content: only requests that arrive under the same
    // version share it, so whoever wrote never waits for a page from before their own write.
    const flight = `${version} ${key}`;
    const pending = this.inflight.get(flight);
    if (pending) {
      const entry = await pending;
      if (entry) return { entry, hit: true };
      return this.renderAlone(render);
    }
    this.misses++;
    let own!: Fetched;
    const work = (async () => {
      const { result, viewer } = trackViewer(render);
      const response = await result;
      // Someone's own page: nobody waiting for this render may see it (they render their own).
      if (viewer.resolved) {
        own = { entry: null, response, hit: false, personal: true };
        return null;
      }
      const entry = await this.toEntry(response, version);
      // The body streamed after the response began (deferred data): checked again once it is whole.
      if (viewer.resolved) {
        own = { entry: null, response: entry ? rebuild(entry) : response, hit: false, personal: true };
        return null;
      }
      own = entry ? { entry, hit: false } : { entry: null, response, hit: false };
      if (entry) this.set(key, entry);
      return entry;
    })();
    this.inflight.set(
      flight,
      work.catch(() => null),
    );
    try {
      await work;
      return own;
    } finally {
      this.inflight.delete(flight);
    }
  }

  /** A render outside the shared path: never stored, and personal when it looked a viewer up. */
  private async renderAlone(render: () => Promise<Response>): Promise<Fetched> {
    const { result, viewer } = trackViewer(render);
    const response = await result;
    return { entry: null, response, hit: false, personal: viewer.resolved };
  }

  private async toEntry(response: Response, version: string): Promise<CachedResponse | null> {
    const cacheControl = response.headers.get("Cache-Control") ?? "";
    if (
      response.status !== 200 ||
      response.headers.has("Set-Cookie") ||
      /private|no-store/.test(cacheControl) ||
      !STORABLE_TYPES.test(response.headers.get("Content-Type") ?? "") ||
      !response.body
    ) {
      return null;
    }
    const body = Buffer.from(await response.arrayBuffer());
    if (body.length > MAX_ENTRY_BYTES) {
      // Too big to keep; served once from the buffer.
      return { status: 200, headers: [...response.headers], body, etag: etagFor(body), version: "", storedAt: 0 };
    }
    const headers = [...response.headers].filter(([k]) => k !== "content-length");
    const etag = response.headers.get("ETag") ?? etagFor(body);
    return { status: 200, headers, body, etag, version, storedAt: this.now() };
  }

  stats() {
    return { entries: this.entries.size, bytes: this.bytes, hits: this.hits, misses: this.misses, version: this.currentVersion() };
  }
}

function rebuild(entry: CachedResponse) {
  return new Response(new Uint8Array(entry.body), { status: entry.status, headers: entry.headers });
}
