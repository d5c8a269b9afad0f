import type { NextFunction, Request, Response } from "express";
import { NULL_CHARACTER, refuse } from "./body-limit";

// Route parameters and query values go straight into database queries, and
// PostgreSQL refuses the null character in text with an error (a 500 if it got
// that far). No address of this site can contain one, so it is refused here,
// once, for every route; so is a path whose %-escapes do not decode.

const MALFORMED = {
  status: 400 as const,
  code: "invalid_address",
  message: "The address is not valid: it has a broken %-escape. Check the link and try again.",
};

export function guardUrls(req: Request, res: Response, next: NextFunction) {
  const url = req.originalUrl;
  const q = url.indexOf("?");
  const rawPath = q === -1 ? url : url.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return refuse(req, res, MALFORMED);
  }
  if (path.includes("\u0000") || (q !== -1 && /%00|\u0000/.test(url.slice(q)))) return refuse(req, res, NULL_CHARACTER);
  next();
}
