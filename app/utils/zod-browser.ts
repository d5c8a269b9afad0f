import { z } from "zod";

/**
 * In the browser, zod must not compile parsers with `new Function`: the
 * Content-Security-Policy refuses eval, and even zod's caught probe for it is
 * reported as a violation. Object schemas decide this when they are built, so
 * the root route calls this first thing, before any other route's module loads.
 * The server keeps the faster compiled parsers.
 */
export function keepZodFromEval() {
  if (typeof document !== "undefined") z.config({ jitless: true });
}
