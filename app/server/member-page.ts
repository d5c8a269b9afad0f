import type { Request as ExpressRequest, Response as ExpressResponse } from "express";
import { EMPTY_VIEWER_SLOT, FULL_RENDER_PARAM, FULL_RENDER_VALUE } from "../utils/viewer-payload";
import { gzipFilled, gzipTemplate, piecesAround, writeAround, type GzipTemplate } from "./gzip-with-nonce";
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

/** The shared page's text around its nonce placeholders and its viewer slot, found once per cache entry. */
export type SlottedPage = { plain: Buffer[]; slotHole: number; gzip?: GzipTemplate };

export function slottedPage(entry: CachedResponse, placeholder: string): SlottedPage {
  if (entry.slotted) return entry.slotted;
  const pieces = (entry.pieces ??= piecesAround(entry.body, placeholder));
  // The slot comes after every post body (in the layout's footer), so the last match is the layout's own.
  const at = entry.body.lastIndexOf(EMPTY_VIEWER_SLOT);
  const end = at + Buffer.byteLength(EMPTY_VIEWER_SLOT);
  for (let i = 0, start = 0; i < pieces.length; start += pieces[i]!.length + Buffer.byteLength(placeholder), i++) {
    if (at < start || end > start + pieces[i]!.length) continue;
    const plain = [...pieces.slice(0, i), pieces[i]!.subarray(0, at - start), pieces[i]!.subarray(end - start), ...pieces.slice(i + 1)];
    return (entry.slotted = { plain, slotHole: i });
  }
  // A nonce placeholder inside the slot's markup: never rendered so, and fillableEntry() found the slot.
  throw new Error("The shared page's viewer slot overlaps a nonce placeholder.");
}

/**
 * Sends the shared page with this response's nonce and the member's `slot` in its holes, for this member's eyes
 * only: gzip made from the entry's once-deflated pieces when the browser takes it (as for visitors, ADR 043), else
 * the pieces as they are; `false` (a client that takes only other encodings) leaves it to the compression middleware.
 */
export function sendWithSlot(
  req: ExpressRequest,
  res: ExpressResponse,
  entry: CachedResponse,
  fill: { placeholder: string; nonce: string; slot: string; encoding: "gzip" | "identity" | false },
  hit: boolean,
) {
  const page = slottedPage(entry, fill.placeholder);
  const nonce = Buffer.from(fill.nonce);
  const slot = Buffer.from(fill.slot);
  const hole = (i: number) => (i === page.slotHole ? slot : nonce);
  res.status(200);
  for (const [key, value] of entry.headers) if (key !== "etag" && key !== "cache-control") res.append(key, value);
  res.setHeader("Cache-Control", "private, no-store");
  res.setHeader("Vary", "Cookie, Authorization, Accept-Encoding");
  res.setHeader("X-Cache", hit ? "HIT" : "MISS");
  const head = req.method === "HEAD";
  if (fill.encoding === "gzip") {
    page.gzip ??= gzipTemplate(page.plain, fill.placeholder);
    const body = gzipFilled(page.gzip, hole);
    res.setHeader("Content-Encoding", "gzip");
    res.setHeader("Content-Length", body.length);
    return void res.end(head ? undefined : body);
  }
  if (fill.encoding === false) {
    const parts = page.plain.flatMap((piece, i) => (i < page.plain.length - 1 ? [piece, hole(i)] : [piece]));
    return void res.end(head ? undefined : Buffer.concat(parts));
  }
  const holes = page.plain.length - 1;
  res.setHeader("Content-Length", page.plain.reduce((n, piece) => n + piece.length, 0) + (holes - 1) * nonce.length + slot.length);
  if (head) return void res.end();
  writeAround(res, page.plain, hole);
}
