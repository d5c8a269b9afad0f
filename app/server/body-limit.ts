import type { NextFunction, Request, Response } from "express";

// Every request body is received in full, checked and only then handed to
// Remix, so a route never starts work on a body it would have to give up:
//  - larger than MAX_BODY_BYTES: 413, with or without Content-Length, and no
//    route ever reads it (a huge declared length is refused before it is sent);
//  - text that PostgreSQL cannot store or that a decoder would silently
//    change: 400 for invalid UTF-8 and for the null character U+0000.
// The Stripe webhook keeps its exact bytes (its signature covers them): it
// gets the size limit only.

/** 1 MiB: the longest post (50,000 characters) fits even percent-encoded. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** How much of an oversized body is read (and dropped) before the connection is cut. */
export const DRAIN_BYTES = 16 * 1024 * 1024;

const RAW_BODY_PATHS = /^\/webhooks\//;

export type Refusal = { status: number; code: string; message: string };

const tooLarge = (limit: number): Refusal => ({
  status: 413,
  code: "payload_too_large",
  message: `The request body is larger than the limit of ${formatBytes(limit)}. Shorten the text or send it in parts.`,
});

export const NOT_UTF8: Refusal = {
  status: 400,
  code: "invalid_encoding",
  message: "The request body is not valid UTF-8 text. Send it encoded as UTF-8.",
};

export const NULL_CHARACTER: Refusal = {
  status: 400,
  code: "invalid_character",
  message: "Text cannot contain the null character (U+0000). Remove it and try again.",
};

function formatBytes(bytes: number) {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** Answers in the API's JSON error format under /api/ and /webhooks/, as plain text elsewhere. */
export function refuse(req: Request, res: Response, refusal: Refusal, opts: { close?: boolean } = {}) {
  if (res.headersSent) return;
  // The rest of an oversized body is not read: the connection cannot be reused.
  if (opts.close) res.setHeader("Connection", "close");
  if (/^\/(api|webhooks)\//.test(req.path)) {
    res.status(refusal.status).json({ error: { code: refusal.code, message: refusal.message } });
  } else {
    res.status(refusal.status).type("text/plain").send(`${refusal.message}\n`);
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

// An escaped \u0000 in JSON: preceded by an odd number of backslashes (an even
// number is the literal text "\u0000", which a post about C strings may hold).
const JSON_NULL = /(?<!\\)(?:\\\\)*\\u0000/i;

/** Why a complete body must be refused, or null. */
export function inspectBody(body: Buffer, contentType: string): Refusal | null {
  if (body.includes(0)) return NULL_CHARACTER;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return NOT_UTF8;
  }
  if (/application\/x-www-form-urlencoded/i.test(contentType)) {
    if (/%00/.test(text)) return NULL_CHARACTER;
    return null;
  }
  // Backline takes no file uploads: every multipart part is text; any other body is
  // JSON or refused with 415 (app/utils/request-body.server.ts).
  if (JSON_NULL.test(text)) return NULL_CHARACTER;
  return null;
}

type Pushable = { push: (chunk: Buffer | null, encoding?: BufferEncoding) => boolean };

/**
 * Express middleware; mount it before anything reads the body (Remix reads the
 * request stream itself, so the body is held back from the stream until it has
 * been received in full and passed the checks, then released to it).
 */
export function limitBodies(limit = MAX_BODY_BYTES, drainLimit = DRAIN_BYTES) {
  return (req: Request, res: Response, next: NextFunction) => {
    const declared = req.headers["content-length"];
    const chunked = req.headers["transfer-encoding"] !== undefined;
    if (!chunked && (declared === undefined || declared === "0")) return next();
    // Too much to read and throw away: answer at once and close the connection.
    if (declared !== undefined && Number(declared) > limit + drainLimit) return refuse(req, res, tooLarge(limit), { close: true });

    // The whole body was parsed before this ran: it is all in the stream's buffer already.
    if (req.complete) return req.readableLength > limit ? refuse(req, res, tooLarge(limit)) : next();

    const stream = req as unknown as Pushable;
    const push = stream.push.bind(req);
    const held: Buffer[] = [];
    let received = req.readableLength;
    let over = false;

    stream.push = (chunk, encoding) => {
      if (chunk === null) {
        stream.push = push;
        const body = Buffer.concat(held);
        const problem = over
          ? tooLarge(limit)
          : RAW_BODY_PATHS.test(req.path)
            ? null
            : inspectBody(body, req.headers["content-type"] ?? "");
        if (problem) {
          refuse(req, res, problem);
          return push(null);
        }
        if (body.length) push(body);
        const more = push(null);
        next();
        return more;
      }
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
      received += bytes.length;
      if (received > limit) {
        // The rest is read and dropped, so the client (a browser mid-upload) can
        // finish sending and then read the 413; past drainLimit it is cut off.
        over = true;
        held.length = 0;
        if (received > limit + drainLimit) refuse(req, res, tooLarge(limit), { close: true });
        return true;
      }
      held.push(bytes);
      return true;
    };
  };
}
