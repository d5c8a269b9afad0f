import { pageFailure, textFailure } from "./app-error-response.server";
import { isAppError } from "./errors";

/**
 * Page loaders call models that throw AppError; the error page needs a route
 * error response with the right status (404, 400…) instead of a 500.
 */
export async function forPage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isAppError(error)) throw pageFailure(error);
    throw error;
  }
}

/** The same for resource routes (feeds, sitemap): a short plain-text answer. */
export async function forResource(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (error) {
    if (!isAppError(error)) throw error;
    return textFailure(error);
  }
}
