import type { ServerBuild } from "@remix-run/node";
import type { NextFunction, Request, Response } from "express";
import { methodNotAllowed, notFound } from "../utils/errors";
import { refuse } from "./body-limit";

// Every address answers only the methods its route handles, before Remix sees the
// request: anything else is a 405 with an Allow header (an unknown address stays a
// 404), in the API's JSON error format under /api/ and as text elsewhere, and is
// never logged as an error. Left to Remix, a GET to a write-only API path was a 400
// "Unexpected Server Error", a PUT to a page ran its form action, and a POST to a
// page without one was logged as an unhandled error.
//
// The methods come from the route modules themselves, so Allow cannot drift: a loader
// or page answers GET and HEAD, an action POST, and an API route's handle() lists the
// methods of its endpoint definitions (app/api/endpoint.server.ts).

type Route = ServerBuild["routes"][string];
type Branch = { route: Route; pattern: RegExp; score: number; splat: boolean };

/** Methods a loader or action answers: its own list when handle() made it. */
const methodsOf = (fn: unknown, otherwise: string): string[] =>
  typeof fn !== "function" ? [] : ((fn as { methods?: string[] }).methods ?? [otherwise]);

function allowedMethods(route: Route): string[] {
  const { default: page, loader, action } = route.module;
  const reads = page ? ["GET"] : methodsOf(loader, "GET");
  const methods = new Set([...reads, ...(reads.includes("GET") ? ["HEAD"] : []), ...methodsOf(action, "POST")]);
  return [...methods, "OPTIONS"];
}

// React Router's ranking (static segments beat parameters, which beat a splat), so the
// route found here is the one Remix would run.
const isSplat = (s: string) => s === "*";
function score(segments: string[], index: boolean) {
  let total = segments.length + (segments.some(isSplat) ? -2 : 0) + (index ? 2 : 0);
  for (const s of segments) if (!isSplat(s)) total += s.startsWith(":") ? 3 : s === "" ? 1 : 10;
  return total;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function branches(build: ServerBuild): Branch[] {
  const routes = build.routes;
  const fullPath = (route: Route): string[] => {
    const own = (route.path ?? "").split("/").filter(Boolean);
    return route.parentId ? [...fullPath(routes[route.parentId]!), ...own] : own;
  };
  const out: Branch[] = [];
  for (const route of Object.values(routes)) {
    if (route.path === undefined && !route.index) continue;
    const segments = fullPath(route);
    // An optional segment (":slug?") is two branches, with and without it.
    let variants: string[][] = [[]];
    for (const s of segments) {
      variants = s.endsWith("?") ? variants.flatMap((v) => [v, [...v, s.slice(0, -1)]]) : variants.map((v) => [...v, s]);
    }
    for (const v of variants) {
      const source = v.map((s) => (isSplat(s) ? "(?:/.*)?" : s.startsWith(":") ? "/[^/]+" : `/${escape(s)}`)).join("");
      out.push({ route, pattern: new RegExp(`^${source}/?$`, "i"), score: score(v, !!route.index), splat: v.some(isSplat) });
    }
  }
  return out.sort((a, b) => b.score - a.score);
}

/** The route that answers a request: single-fetch data URLs (/x.data) and form posts (?index) as Remix reads them. */
function routeFor(table: Branch[], build: ServerBuild, req: Request) {
  const pathname = req.path === "/_root.data" ? "/" : req.path.replace(/\.data$/, "");
  const branch = table.find((b) => b.pattern.test(pathname));
  if (!branch) return undefined;
  // A form posted to an index route's address without ?index goes to its parent layout.
  const toParent = branch.route.index && req.method !== "GET" && req.method !== "HEAD" && !("index" in req.query);
  const route = toParent && branch.route.parentId ? build.routes[branch.route.parentId]! : branch.route;
  return { route, splat: branch.splat };
}

export function onlyAllowedMethods(build: ServerBuild) {
  const table = branches(build);
  return (req: Request, res: Response, next: NextFunction) => {
    const found = routeFor(table, build, req);
    if (!found) return next();
    const allow = allowedMethods(found.route);
    if (req.method === "OPTIONS" && !found.splat) {
      res.setHeader("Allow", allow.join(", "));
      return res.status(204).end();
    }
    if (req.method !== "OPTIONS" && allow.includes(req.method)) return next();
    // A catch-all route has no resource behind it: whatever the method, nothing is here.
    const refusal = found.splat ? notFound(`Nothing is at ${req.path}.`) : methodNotAllowed(req.method, allow);
    if (!found.splat) res.setHeader("Allow", allow.join(", "));
    refuse(req, res, refusal);
  };
}
