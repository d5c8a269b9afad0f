import { data } from "@remix-run/node";
import type { AppError, FieldErrors } from "./errors";

// The one translation of a domain error into an HTTP answer, for each kind of
// caller. Status, message and headers (Allow, Retry-After) always come from the
// error; only the body's shape differs.

export type FormFailure = { ok: false; message: string; fields?: FieldErrors; values?: Record<string, string> };

/** A form's action data: message and field messages, plus what the person typed so the form shows it again. */
export const formFailure = (error: AppError, values?: Record<string, string>) =>
  data<FormFailure>(
    { ok: false, message: error.message, fields: error.fields, ...(values ? { values } : {}) },
    { status: error.status, headers: error.headers },
  );

/** The same failure as a response of its own, for fetchers and for throwing from resource routes. */
export const formFailureJson = (error: AppError) =>
  Response.json({ ok: false, message: error.message, fields: error.fields } satisfies FormFailure, {
    status: error.status,
    headers: error.headers,
  });

/** A page: thrown from a loader or action, shown by the error boundary with the error's status. */
export const pageFailure = (error: AppError) => data(error.message, { status: error.status, headers: error.headers });

/** Plain text for feeds, the sitemap and forms posted without JavaScript; `after` follows the message. */
export const textFailure = (error: AppError, after = "") =>
  new Response(`${error.message}\n${after}`, {
    status: error.status,
    headers: { ...error.headers, "Content-Type": "text/plain; charset=utf-8" },
  });

/** The API's JSON error, `{ error: { code, message, fields? } }` (docs/decisions/011). */
export const apiFailure = (error: AppError) =>
  Response.json(
    { error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}), ...error.details } },
    { status: error.status, headers: error.headers },
  );
