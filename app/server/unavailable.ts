import type { ServerBuild } from "@remix-run/node";
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from "express";
import { databaseUnavailable } from "../services/database-unavailable.server";

// The one place a page's loader or action turns "the database is unreachable"
// into a 503: the error page shows the message and Retry-After tells clients
// when to come back, instead of a 500 and a logged stack per request. API
// routes answer their own JSON error format (app/api/endpoint.server.ts) and
// pass through here untouched, since they never throw.

type Fn = (args: { request: Request }) => Promise<unknown>;

function guard(fn: Fn): Fn {
  // Own properties (handle()'s `methods`, which Allow headers are built from) carry over.
  return Object.assign(async (args: Parameters<Fn>[0]) => {
    try {
      return await fn(args);
    } catch (error) {
      const outage = databaseUnavailable(error);
      if (!outage) throw error;
      const api = new URL(args.request.url).pathname.startsWith("/api/");
      throw Response.json(api ? { error: { code: outage.code, message: outage.message } } : { message: outage.message }, {
        status: outage.status,
        headers: outage.headers,
      });
    }
  }, fn);
}

type HeadersArgs = { parentHeaders: Headers; errorHeaders?: Headers };
type HeadersExport = HeadersInit | ((args: HeadersArgs) => HeadersInit);

/**
 * An error page only gets the headers a route's `headers` export returns; this
 * keeps the route's own headers (or its parent's, as Remix does without an
 * export) and adds the thrown response's Retry-After, so a 503 page says when to retry.
 */
function withRetryAfter(original: HeadersExport | undefined) {
  return (args: HeadersArgs) => {
    const own = original === undefined ? args.parentHeaders : typeof original === "function" ? original(args) : original;
    const headers = new Headers(own);
    const retryAfter = args.errorHeaders?.get("Retry-After");
    if (retryAfter) headers.set("Retry-After", retryAfter);
    return headers;
  };
}

export function answerOutagesWith503(build: ServerBuild): ServerBuild {
  const routes: ServerBuild["routes"] = {};
  for (const [id, route] of Object.entries(build.routes)) {
    const module = { ...route.module } as Record<string, unknown>;
    if (typeof module.loader === "function") module.loader = guard(module.loader as Fn);
    if (typeof module.action === "function") module.action = guard(module.action as Fn);
    if (typeof module.default === "function") module.headers = withRetryAfter(module.headers as HeadersExport | undefined);
    routes[id] = { ...route, module: module as unknown as typeof route.module };
  }
  return { ...build, routes };
}

/** Express's last error handler: an outage that escaped Remix (the page cache's render) is a 503 too. */
export function expressOutageHandler(error: unknown, req: ExpressRequest, res: ExpressResponse, next: NextFunction) {
  const outage = databaseUnavailable(error);
  if (!outage || res.headersSent) return next(error);
  res.status(outage.status).set(outage.headers ?? {});
  if (req.path.startsWith("/api/")) res.json({ error: { code: outage.code, message: outage.message } });
  else res.type("text/plain").send(outage.message);
}
