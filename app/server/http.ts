import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import path from "node:path";
import { readdirSync } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createRequestHandler } from "@remix-run/express";
import { createRequestHandler as createRemixHandler, type ServerBuild, writeReadableStreamToWritable } from "@remix-run/node";
import compression from "compression";
import accepts from "accepts";
import express, { type Express, type Request as ExpressRequest, type Response as ExpressResponse } from "express";
import { getEnv } from "../env.server";
import { isCrossSiteMutation } from "../services/csrf.server";
import { nonceOf, noncePlaceholder, nonceStream, securityHeaders, setSecurityHeaders } from "./security-headers";
import { limitBodies } from "./body-limit";
import { guardUrls, urlRefusal } from "./url-guard";
import { onlyAllowedMethods } from "./allowed-methods";
import { etagMatches, hasCredentials, isCacheable, isPublicPath, PageCache, type CachedResponse } from "./page-cache";
import { onSearchIndexChanged } from "#search/index-changed.server";
import { addressKey } from "./client-address";
import { fillableEntry, memberThreadId, sendWithSlot, withoutCredentials, type ThreadViewerSlot } from "./member-page";
import { gzipTemplate, gzipWithNonce, piecesAround, writeAround } from "./gzip-with-nonce";
import { loadContext } from "./load-context";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
// Browsers and shared caches revalidate every time (ETag → 304); the server-side cache does the work.
const PUBLIC_CACHE_CONTROL = "public, max-age=0, must-revalidate";
// What the compression middleware leaves alone too: smaller bodies gain less than the gzip framing costs.
const COMPRESS_FROM_BYTES = 1024;

function requestHeaders(req: ExpressRequest) {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v);
    else if (value !== undefined) headers.set(key, value);
  }
  return headers;
}

/**
 * The path and query the client asked for (an absolute-form target keeps only those), on the configured
 * origin: PUBLIC_URL, else http://localhost and the port this server listens on (PORT, resolved when it is 0).
 */
function sharedRenderUrl(req: Pick<ExpressRequest, "originalUrl">) {
  const { pathname, search } = new URL(req.originalUrl, "http://request.invalid");
  return `${getEnv().publicUrl}${pathname}${search}`;
}

function sharedRenderHeaders(req: ExpressRequest, url: string) {
  const headers = requestHeaders(req);
  headers.set("Host", new URL(url).host);
  for (const name of ["X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port", "Forwarded"]) headers.delete(name);
  return headers;
}

/** A response rendered for the page cache: its nonce placeholder becomes this response's nonce. */
async function sendResponse(res: ExpressResponse, response: Response, placeholder: string) {
  res.status(response.status);
  for (const [key, value] of response.headers) res.append(key, value);
  if (!response.body) res.end();
  else if (/^text\/html\b/.test(response.headers.get("Content-Type") ?? "")) {
    await pipeline(
      Readable.fromWeb(response.body as import("node:stream/web").ReadableStream),
      nonceStream(placeholder, nonceOf(res)),
      flushEachChunk(res),
      res,
    ).catch((error) => {
      // The visitor went away mid-page: nothing to report.
      if (!res.destroyed) throw error;
    });
  } else await writeReadableStreamToWritable(response.body, res);
}

/** Streamed (deferred) parts reach the browser as they come, not when the compressor's buffer fills. */
function flushEachChunk(res: ExpressResponse) {
  const flushable = res as ExpressResponse & { flush?: () => void };
  return new Transform({
    transform(chunk, _encoding, done) {
      done(null, chunk);
      if (flushable.flush) setImmediate(() => flushable.flush!());
    },
  });
}

/**
 * The encoding a cached body goes out in: gzip (compressed once per entry, gzip-with-nonce.ts) when the client takes
 * it, else plain; false for a client that takes only other encodings, which the compression middleware serves.
 */
function cachedEncoding(req: IncomingMessage): "gzip" | "identity" | false {
  const negotiate = accepts(req);
  const preferred = negotiate.encodings(["gzip", "identity"]);
  if (preferred === "identity" && negotiate.encodings(["br", "deflate"])) return false;
  return preferred === "gzip" || preferred === "identity" ? preferred : false;
}

function sendCached(
  req: IncomingMessage,
  res: ServerResponse,
  entry: CachedResponse,
  hit: boolean,
  placeholder: string,
  nonce: string,
  encoding: ReturnType<typeof cachedEncoding>,
) {
  res.statusCode = entry.status;
  for (const [key, value] of entry.headers) res.appendHeader(key, value);
  // A gzip body is another representation, with its own ETag.
  const gzip = entry.body.length >= COMPRESS_FROM_BYTES && encoding === "gzip";
  const etag = gzip ? entry.etag.replace(/"$/, '-gzip"') : entry.etag;
  res.setHeader("ETag", etag);
  if (!res.getHeader("Cache-Control")) res.setHeader("Cache-Control", PUBLIC_CACHE_CONTROL);
  res.setHeader("Vary", "Cookie, Authorization, Accept-Encoding");
  res.setHeader("X-Cache", hit ? "HIT" : "MISS");
  if (etagMatches(req.headers["if-none-match"], etag)) {
    // The browser keeps its stored copy, nonce and all; a new policy in the 304 would
    // replace the stored one and refuse that copy's scripts.
    res.removeHeader("Content-Security-Policy");
    res.statusCode = 304;
    res.end();
    return;
  }
  // The ETag is the placeholder body's: the same for every visitor, whatever the nonce.
  entry.pieces ??= piecesAround(entry.body, placeholder);
  if (gzip) {
    entry.gzip ??= gzipTemplate(entry.pieces, placeholder);
    res.setHeader("Content-Encoding", "gzip");
    res.setHeader("Content-Length", entry.gzip.length);
    res.end(req.method === "HEAD" ? undefined : gzipWithNonce(entry.gzip, nonce));
    return;
  }
  res.setHeader("Content-Length", entry.body.length);
  if (req.method === "HEAD") return void res.end();
  const fill = Buffer.from(nonce);
  writeAround(res, entry.pieces, () => fill);
}

/** A signed-in visitor's copy of a public page must not be kept by the browser's or anyone else's cache. */
function markPrivate(res: ExpressResponse) {
  beforeHeaders(res, () => {
    res.setHeader("Cache-Control", "private, no-cache");
    // Added to, not replaced: the compressor may already have named Accept-Encoding.
    res.vary("Cookie").vary("Authorization");
  });
}

/** Runs `fn` just before the response's headers go out (Node calls writeHead for implicit headers too). */
function beforeHeaders(res: ServerResponse, fn: () => void) {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
    if (!this.headersSent) fn();
    return writeHead.apply(this, args);
  } as typeof writeHead;
}

/** The forum's request handler: Express, behind the page cache's fast lane. */
export type App = ((req: IncomingMessage, res: ServerResponse) => void) & {
  locals: Express["locals"];
  use: Express["use"];
  listen(port: number, host: string, listening?: () => void): Server;
};

export function createApp(build: ServerBuild, root: string, trustedOrigins: string[]): App {
  const app = express();
  app.disable("x-powered-by");
  // X-Forwarded-For is believed only through the proxies TRUST_PROXY names (Express's proxy-addr; ADR 025).
  app.set("trust proxy", getEnv().TRUST_PROXY);

  app.use(securityHeaders({ hsts: getEnv().servedOverHttps }));
  app.use((req, res, next) => {
    // The client address our rate limits use: the socket's, or the one a trusted proxy hop names, never a
    // header the client wrote itself (any x-backline-client-ip it sent is overwritten here).
    req.headers["x-backline-client-ip"] = addressKey(req.ip ?? req.socket.remoteAddress);
    const crossSite = isCrossSiteMutation(
      req.method,
      { origin: req.headers.origin, host: req.headers.host, secFetchSite: req.headers["sec-fetch-site"] as string | undefined },
      trustedOrigins,
    );
    if (!crossSite) return next();
    const message = "Cross-site request refused: this form or API call came from another website.";
    if (req.path.startsWith("/api/")) {
      res.status(403).json({ error: { code: "cross_site_request", message } });
    } else {
      res.status(403).type("text/plain").send(message);
    }
  });

  // Hostile addresses and bodies are refused before any route sees them (body-limit.ts, url-guard.ts).
  app.use(guardUrls, limitBodies());
  app.use(onlyAllowedMethods(build));
  // HTML, JSON, scripts and styles go out as br or gzip when the client asks (docs/decisions/043); cached pages
  // arrive here already gzipped, and the middleware leaves an encoded body alone.
  app.use(compression({ threshold: COMPRESS_FROM_BYTES }));

  // Fingerprinted assets never change; everything else in public/ may.
  app.use("/build", express.static(path.join(root, "public/build"), { immutable: true, maxAge: "1y" }));
  // The other files of public/ (read once at start, as the build writes them): a page request never waits on a stat.
  const publicDir = path.join(root, "public");
  const publicFiles = new Set(
    readdirSync(publicDir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => `/${entry.name}`),
  );
  const servePublic = express.static(publicDir, { maxAge: "1h" });
  app.use((req, res, next) => (publicFiles.has(req.path) ? servePublic(req, res, next) : next()));
  const remix = createRequestHandler({ build, mode: "production", getLoadContext: (_req, res) => loadContext(res) });
  const render = createRemixHandler(build, "production");
  const pageCache = new PageCache(getEnv().DATABASE_URL);
  const placeholder = noncePlaceholder(getEnv().sessionSecret);
  pageCache.start();
  const stopListening = onSearchIndexChanged(() => pageCache.invalidate());
  app.locals.pageCache = { stop: () => (stopListening(), pageCache.stop()) };
  const threadViewerSlot = (build.entry.module as { threadViewerSlot?: ThreadViewerSlot }).threadViewerSlot;
  /** The shared page for `url`, rendered for nobody: no cookie or Authorization reaches the render. */
  const sharedPage = (req: ExpressRequest, url: string) =>
    pageCache.fetch(url, () =>
      render(new Request(url, { method: "GET", headers: withoutCredentials(sharedRenderHeaders(req, url)) }), { cspNonce: placeholder }),
    );
  /** A member's thread page as the shared page plus their own state (docs/decisions/042); false when it cannot be. */
  const memberPage = async (req: ExpressRequest, res: ExpressResponse, threadId: string) => {
    const request = new Request(sharedRenderUrl(req), { headers: requestHeaders(req) });
    const slot = await threadViewerSlot!(request, threadId, nonceOf(res), pageCache.currentVersion());
    if (!slot) return false;
    const { entry, response, hit } = await sharedPage(req, sharedRenderUrl(req));
    if (!fillableEntry(entry)) {
      await response?.body?.cancel();
      return false;
    }
    sendWithSlot(req, res, entry, { placeholder, nonce: nonceOf(res), slot, encoding: cachedEncoding(req) }, hit);
    return true;
  };
  app.all("*", async (req, res, next) => {
    // After a write is answered (and committed) this server's cached pages are dropped at once;
    // other servers see it through the content version (docs/decisions/017).
    // Dropped as the answer starts, too (the write is committed by then): a client that has read it may ask again
    // on another connection before this one's "finish".
    if (!SAFE_METHODS.has(req.method)) {
      beforeHeaders(res, () => pageCache.invalidate());
      res.once("finish", () => pageCache.invalidate());
    }
    const memberThread = threadViewerSlot ? memberThreadId(req) : null;
    if (memberThread) {
      try {
        if (await memberPage(req, res, memberThread)) return;
      } catch (error) {
        if (res.headersSent) return next(error);
        // Rendered whole instead, so a failure (the database gone, say) gets the page's own answer: a 503 with a
        // message, not Express's bare 500.
      }
    }
    if (!isCacheable(req)) {
      if (req.method === "GET" && hasCredentials(req) && isPublicPath(req.path)) markPrivate(res);
      return remix(req, res, next);
    }
    try {
      // The key and the render's URL come from the configured origin, never from Host or X-Forwarded-*: a
      // client cannot split the cache, or have visitors served a page built for a host of its choosing.
      const url = sharedRenderUrl(req);
      // HEAD shares the GET entry; the render is shared by concurrent visitors, so no client's abort cancels it,
      // and carries a placeholder for the nonce each response fills in.
      const { entry, response, hit, personal } = await pageCache.fetch(url, () =>
        render(new Request(url, { method: "GET", headers: sharedRenderHeaders(req, url) }), { cspNonce: placeholder }),
      );
      // A render that found a viewer anyway (docs/decisions/023) is that person's alone.
      if (personal) markPrivate(res);
      if (entry) return sendCached(req, res, entry, hit, placeholder, nonceOf(res), cachedEncoding(req));
      res.setHeader("X-Cache", "BYPASS");
      await sendResponse(res, response!, placeholder);
    } catch (error) {
      next(error);
    }
  });
  /**
   * A visitor's GET or HEAD of a page the cache holds, answered before Express (docs/decisions/050): the security
   * headers, nonce, body and revalidation the Express path gives a hit (sendCached), without its middleware, none of
   * which acts on such a request. Everything else goes on to Express: a miss, credentials, a member's page, an
   * address the URL guard refuses, an absolute-form target, a client that wants brotli. A new check added to Express
   * before the page cache must be judged here too: it may stay in Express only if it cannot change such a request.
   */
  const hsts = getEnv().servedOverHttps;
  const fromCache = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const url = req.url ?? "";
    if (!url.startsWith("/") || urlRefusal(url)) return false;
    const query = url.indexOf("?");
    if (!isCacheable({ method: req.method, path: query === -1 ? url : url.slice(0, query), headers: req.headers })) return false;
    const encoding = cachedEncoding(req);
    if (!encoding) return false;
    const entry = pageCache.hit(sharedRenderUrl({ originalUrl: url }));
    if (!entry) return false;
    sendCached(req, res, entry, true, placeholder, setSecurityHeaders(res, { hsts }), encoding);
    return true;
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (!fromCache(req, res)) app(req, res);
  };
  return Object.assign(handler, {
    locals: app.locals,
    use: app.use.bind(app),
    listen: (port: number, host: string, listening?: () => void) => createServer(handler).listen(port, host, listening),
  });
}
