import type { NextFunction, Request, Response } from "express";
import { NULL_CHARACTER, refuse, type Refusal } from "./body-limit";

// Route parameters and query values go straight into database queries and
// file lookups. Three kinds of address are refused here, once, for every route:
//  - a null character: PostgreSQL refuses it in text (a 500 if it got that far);
//  - a %-escape that does not decode;
//  - a dot-dot segment, or a slash or backslash hidden in a %-escape: no page of
//    this site has one (slugs, usernames and tags are letters, digits and
//    dashes), so they can only be an attempt to climb out of public/ or to
//    smuggle a path into a route parameter.

const MALFORMED = {
  status: 400 as const,
  code: "invalid_address",
  message: "The address is not valid: it has a broken %-escape. Check the link and try again.",
};

const NO_SUCH_PAGE = { status: 404 as const, code: "not_found", message: "There is no page at this address." };

const HIDDEN_SEPARATOR = /%(2f|5c)|\\/i;
const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)/;

/** Why this request target (path and query as sent) is refused, or null. */
export function urlRefusal(url: string): Refusal | null {
  const q = url.indexOf("?");
  const rawPath = q === -1 ? url : url.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return MALFORMED;
  }
  if (path.includes("\u0000") || (q !== -1 && /%00|\u0000/.test(url.slice(q)))) return NULL_CHARACTER;
  if (HIDDEN_SEPARATOR.test(rawPath) || DOT_SEGMENT.test(path)) return NO_SUCH_PAGE;
  return null;
}

export function guardUrls(req: Request, res: Response, next: NextFunction) {
  const refusal = urlRefusal(req.originalUrl);
  if (refusal) return refuse(req, res, refusal);
  next();
}
