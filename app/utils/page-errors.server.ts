import { data } from "@remix-run/node";
import { isAppError } from "./errors";

/**
 * Page loaders call models that throw AppError; the error page needs a route
 * error response with the right status (404, 400…) instead of a 500.
 */
export async function forPage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isAppError(error)) throw data(error.message, { status: error.status, headers: error.headers });
    throw error;
  }
}

/** The same for resource routes (feeds, sitemap): a short plain-text answer. */
export async function forResource(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (error) {
    if (!isAppError(error)) throw error;
    return new Response(`${error.message}\n`, {
      status: error.status,
      headers: { "Content-Type": "text/plain; charset=utf-8", ...error.headers },
    });
  }
}
