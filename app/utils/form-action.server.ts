import { data } from "@remix-run/node";
import { AppError, type FieldErrors } from "./errors";

export type FormFailure = { ok: false; message: string; fields?: FieldErrors };

/** Runs a form's model call; a domain error becomes field messages with its HTTP status. */
export async function attempt<T>(fn: () => Promise<T>): Promise<T | ReturnType<typeof data<FormFailure>>> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return data<FormFailure>(
      { ok: false, message: error.message, fields: error.fields },
      { status: error.status, headers: error.headers },
    );
  }
}

export const isFailure = (v: unknown): v is FormFailure =>
  typeof v === "object" && v !== null && (v as FormFailure).ok === false;
