import { getEnv } from "~/env.server";

// Deliberately tiny: messages are composed by callers that know what is private;
// nothing here logs request bodies, cookies or tokens.
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 } as const;
type Level = keyof typeof LEVELS;

function log(level: Exclude<Level, "silent">, message: string, extra?: unknown) {
  if (LEVELS[level] < LEVELS[getEnv().LOG_LEVEL]) return;
  const line = `${new Date().toISOString()} ${level.toUpperCase()} ${message}`;
  const out = level === "error" || level === "warn" ? console.error : console.log;
  if (extra instanceof Error) out(line, describeError(extra));
  else if (extra !== undefined) out(line, extra);
  else out(line);
}

export const logger = {
  debug: (m: string, e?: unknown) => log("debug", m, e),
  info: (m: string, e?: unknown) => log("info", m, e),
  warn: (m: string, e?: unknown) => log("warn", m, e),
  error: (m: string, e?: unknown) => log("error", m, e),
};

/**
 * Only the error's first message line and its stack frames: database errors
 * quote the query's arguments after that line, and those can be private text.
 */
export function describeError(error: Error): string {
  const code = (error as { code?: unknown }).code;
  const head = `${error.name}${typeof code === "string" ? ` [${code}]` : ""}: ${error.message.split("\n").find((l) => l.trim()) ?? ""}`;
  const frames = (error.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
  return [head.slice(0, 500), ...frames.slice(0, 15)].join("\n");
}
