import { plural } from "~/utils/text";

// Domain errors carry the HTTP answer they deserve; routes translate them for
// forms (field messages) and for the API ({"error": {...}}).
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public fields?: FieldErrors,
    public headers?: Record<string, string>,
    /** More of the answer for the API, next to code and message (e.g. `reopensAt`). */
    public details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badRequest = (message: string, fields?: FieldErrors) => new AppError(400, "invalid_request", message, fields);
export const unauthorized = (message = "Sign in to do that.") => new AppError(401, "unauthorized", message);
export const forbidden = (message = "You are not allowed to do that.") => new AppError(403, "forbidden", message);
export const notFound = (message = "Not found.") => new AppError(404, "not_found", message);
export const conflict = (message: string, fields?: FieldErrors) => new AppError(409, "conflict", message, fields);
export const unsupportedMediaType = (message: string) => new AppError(415, "unsupported_media_type", message);
export const methodNotAllowed = (method: string, allow: string[]) =>
  new AppError(405, "method_not_allowed", `${method} is not supported here. This address answers ${allow.join(", ")}.`, undefined, {
    Allow: allow.join(", "),
  });

export function tooManyRequests(retryAfterSeconds: number, what: string) {
  const wait = humanDuration(retryAfterSeconds);
  return new AppError(429, "rate_limited", `Too many ${what}. Try again in ${wait}.`, undefined, {
    "Retry-After": String(retryAfterSeconds),
  });
}

export function humanDuration(seconds: number): string {
  if (seconds < 60) return plural(seconds, "second");
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return plural(minutes, "minute");
  const hours = Math.ceil(minutes / 60);
  return plural(hours, "hour");
}

export function invariant(condition: unknown, error: AppError | (() => AppError)): asserts condition {
  if (!condition) throw typeof error === "function" ? error() : error;
}

/** Also recognises errors from a second copy of this module (CLI scripts load both ESM and CJS copies). */
export const isAppError = (e: unknown): e is AppError =>
  e instanceof AppError || (e instanceof Error && e.name === "AppError" && typeof (e as AppError).status === "number");
