import { describe, expect, it } from "vitest";
import { apiFailure, formFailure, formFailureJson, pageFailure, textFailure } from "~/utils/app-error-response.server";
import {
  AppError,
  badRequest,
  conflict,
  forbidden,
  methodNotAllowed,
  notFound,
  tooManyRequests,
  unauthorized,
  unsupportedMediaType,
} from "~/utils/errors";

// Every kind of AppError, mapped to each kind of answer: the status and headers
// always come from the error, the message is never rewritten.
const KINDS: [string, AppError][] = [
  ["bad request", badRequest("Fix the title.", { title: "Too short." })],
  ["unauthorized", unauthorized()],
  ["forbidden", forbidden()],
  ["not found", notFound("There is no such thread.")],
  ["method not allowed", methodNotAllowed("PUT", ["GET", "POST"])],
  ["conflict", conflict("This thread is locked.")],
  ["unsupported media type", unsupportedMediaType("Send JSON.")],
  ["rate limited", tooManyRequests(90, "replies")],
  ["unavailable", new AppError(503, "database_unavailable", "Try again shortly.", undefined, { "Retry-After": "5" })],
];

const headersOf = (error: AppError, response: { headers: Headers | HeadersInit | undefined }) => {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(error.headers ?? {})) expect(headers.get(name)).toBe(value);
  return headers;
};

describe.each(KINDS)("a %s error", (_kind, error) => {
  it("becomes a form's action data with its message, field messages and what was typed", () => {
    const answer = formFailure(error, { title: "Hi" });
    expect(answer.init?.status).toBe(error.status);
    headersOf(error, { headers: answer.init?.headers });
    expect(answer.data).toEqual({ ok: false, message: error.message, fields: error.fields, values: { title: "Hi" } });
    expect(formFailure(error).data).not.toHaveProperty("values");
  });

  it("becomes a JSON form failure for fetchers", async () => {
    const response = formFailureJson(error);
    expect(response.status).toBe(error.status);
    headersOf(error, response);
    expect(await response.json()).toEqual({ ok: false, message: error.message, ...(error.fields ? { fields: error.fields } : {}) });
  });

  it("becomes a page answer for the error boundary", () => {
    const answer = pageFailure(error);
    expect(answer.init?.status).toBe(error.status);
    headersOf(error, { headers: answer.init?.headers });
    expect(answer.data).toBe(error.message);
  });

  it("becomes plain text", async () => {
    const response = textFailure(error);
    expect(response.status).toBe(error.status);
    expect(headersOf(error, response).get("Content-Type")).toBe("text/plain; charset=utf-8");
    expect(await response.text()).toBe(`${error.message}\n`);
    expect(await textFailure(error, "\nGo back and try again.\n").text()).toBe(`${error.message}\n\nGo back and try again.\n`);
  });

  it("becomes the API's JSON error", async () => {
    const response = apiFailure(error);
    expect(response.status).toBe(error.status);
    headersOf(error, response);
    expect(await response.json()).toEqual({
      error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) },
    });
  });
});
