import { AppError } from "~/utils/errors";
import { logger } from "./logger.server";

// When PostgreSQL restarts or the network drops, a request fails through no
// fault of its own: it deserves a 503 the client can retry, not a 500 and an
// error log per request. Recognised by shape (Prisma codes, driver-adapter
// kinds, socket and PostgreSQL error codes), because the server process and
// the Remix build load separate copies of Prisma's error classes.

const PRISMA_CODES = new Set([
  "P1001", // can't reach database server
  "P1002", // reached but timed out
  "P1008", // operation timed out
  "P1017", // server closed the connection
  "P2024", // timed out waiting for a pool connection
]);
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH"]);
// admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections; class 08 is connection exceptions.
const POSTGRES_CODES = /^(57P01|57P02|57P03|53300|08\d{3})$/;
// The last two: no connection became free in time (an overloaded or hung database).
const MESSAGES =
  /Connection terminated|Server has closed the connection|Can't reach database server|Connection closed|timeout exceeded when trying to connect|Unable to start a transaction in the given time/i;

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  const e = error as {
    code?: unknown;
    message?: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
    cause?: unknown;
    kind?: unknown;
  };
  if (typeof e.code === "string" && (PRISMA_CODES.has(e.code) || SOCKET_CODES.has(e.code) || POSTGRES_CODES.test(e.code))) return true;
  const adapter = e.meta?.driverAdapterError?.cause;
  if (adapter && (ADAPTER_KINDS.has(String(adapter.kind)) || POSTGRES_CODES.test(String(adapter.originalCode ?? "")))) return true;
  if (typeof e.kind === "string" && ADAPTER_KINDS.has(e.kind)) return true;
  if (typeof e.message === "string" && MESSAGES.test(e.message)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

export const DATABASE_UNAVAILABLE_MESSAGE = "The forum cannot reach its database right now. Nothing was lost; try again in a few seconds.";
const RETRY_AFTER_SECONDS = "5";

let lastWarning = 0;
/** One warning per 10 s at most: an outage must not flood the log with one line per request. */
function warnOnce(error: unknown) {
  const now = Date.now();
  if (now - lastWarning < 10_000) return;
  lastWarning = now;
  const message =
    error instanceof Error
      ? error.message
          .split("\n")
          .filter((l) => l.trim())
          .at(-1)
      : String(error);
  logger.warn(`database unavailable; answering 503 until it is back (${message?.slice(0, 200)})`);
}

/** The 503 for an error that means "the database is unreachable", or null for any other error. */
export function databaseUnavailable(error: unknown): AppError | null {
  if (!isDatabaseUnavailable(error)) return null;
  warnOnce(error);
  return new AppError(503, "database_unavailable", DATABASE_UNAVAILABLE_MESSAGE, undefined, { "Retry-After": RETRY_AFTER_SECONDS });
}
