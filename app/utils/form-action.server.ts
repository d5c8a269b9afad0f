import { formFailure, formFailureJson, type FormFailure } from "./app-error-response.server";
import { isAppError } from "./errors";
import { formBody } from "./request-body.server";

export type { FormFailure };

/**
 * The fields of a page's form post. Every page action reads its form through here:
 * a JSON, text or empty body, or a broken multipart one, is answered 400/415 with a
 * message on the error page (thrown as a response, so no error is logged), never a 500.
 */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await formBody(request);
  } catch (error) {
    if (!isAppError(error)) throw error;
    // A Response, not data(): resource routes (mod.actions) answer a thrown Response as it is.
    throw formFailureJson(error);
  }
}

/**
 * Runs a form's model call; a domain error becomes field messages with its HTTP
 * status. `keep` names what the person typed: it comes back with the failure so
 * the form shows it again even without JavaScript (a too-long post is not lost).
 */
export async function attempt<T>(
  fn: () => Promise<T>,
  keep?: Record<string, FormDataEntryValue | null | undefined>,
): Promise<T | ReturnType<typeof formFailure>> {
  try {
    return await fn();
  } catch (error) {
    if (!isAppError(error)) throw error;
    return formFailure(error, keep ? typedValues(keep) : undefined);
  }
}

function typedValues(keep: Record<string, FormDataEntryValue | null | undefined>) {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(keep)) if (typeof value === "string") values[key] = value;
  return values;
}

export const isFailure = (v: unknown): v is FormFailure => typeof v === "object" && v !== null && (v as FormFailure).ok === false;
