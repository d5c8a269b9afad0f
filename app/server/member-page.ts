import type { Request as ExpressRequest, Response as ExpressResponse } from "express";
import { EMPTY_VIEWER_SLOT, FULL_RENDER_PARAM, FULL_RENDER_VALUE } from "../utils/viewer-payload";
import { hasCredentials, type CachedResponse } from "./page-cache";

// A signed-in member's thread page: the shared page from the page cache, rendered for nobody, with the
// member's own state spliced into its viewer slot (docs/decisions/042). The shared render never sees the
// member's credentials; the member's state is looked up on their own request and sent only to them.

const THREAD_PAGE = /^\/t\/([^/]+)\/[^/]+$/;

/** The server entry's export that builds the filled slot (app/server/viewer-payload.server.ts). */
export type ThreadViewerSlot = (request: Request, threadId: string, nonce: string, version: string | null) => Promise<string | null>;

/** The thread a member's GET asks for, when it may be served as the shared page plus their state. */
export function memberThreadId(req: Pick<ExpressRequest, "method" | "path" | "headers" | "originalUrl">): string | null {
  if (req.method !== "GET" && req.method !== "HEAD") return null;
  // API clients (any Authorization header) get what they get today: the page rendered whole.
  if (req.headers.authorization !== undefined || !hasCredentials(req)) return null;
  const match = THREAD_PAGE.exec(req.path);
  if (!match) return null;
  const { searchParams } = new URL(req.originalUrl, "http://request.invalid");
  if (searchParams.get(FULL_RENDER_PARAM) === FULL_RENDER_VALUE) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null;
  }
}

/** The shared render's request headers: whatever named the member is dropped, so the render cannot find them. */
export function withoutCredentials(headers: Headers) {
  headers.delete("Cookie");
  headers.delete("Authorization");
  return headers;
}

/** A shared page that has a slot to fill: a whole HTML page, stored in the cache. */
export function fillableEntry(entry: CachedResponse | null): entry is CachedResponse {
  if (!entry || entry.status !== 200 || !entry.version) return false;
  const type = entry.headers.find(([k]) => k === "content-type")?.[1] ?? "";
  return /^text\/html\b/.test(type) && entry.body.lastIndexOf(EMPTY_VIEWER_SLOT) !== -1;
}

/** Sends the shared page (its nonce already in place) with `slot` in it, for this member's eyes only. */
export function sendWithSlot(req: ExpressRequest, res: ExpressResponse, entry: CachedResponse, body: Buffer, slot: string, hit: boolean) {
  // The slot comes after every post body (in the layout's footer), so the last match is the layout's own.
  const at = body.lastIndexOf(EMPTY_VIEWER_SLOT);
  const page = Buffer.concat([body.subarray(0, at), Buffer.from(slot), body.subarray(at + EMPTY_VIEWER_SLOT.length)]);
  res.status(200);
  for (const [key, value] of entry.headers) if (key !== "etag" && key !== "cache-control") res.append(key, value);
  res.setHeader("Cache-Control", "private, no-store");
  res.setHeader("Vary", "Cookie, Authorization");
  res.setHeader("X-Cache", hit ? "HIT" : "MISS");
  res.setHeader("Content-Length", page.length);
  res.end(req.method === "HEAD" ? undefined : page);
}
