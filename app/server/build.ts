import { createRequire } from "node:module";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { EnvError, parseEnv } from "../env.server";

/** Configuration for a server process, or a readable message and exit code 1. */
export function envOrExit() {
  process.env.NODE_ENV = "production";
  try {
    return parseEnv(process.env);
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/** The server build's module, whose entry exports the lifecycle hooks (app/server/lifecycle.server.ts). */
export function loadBuild<Hooks>(root: string) {
  const build = createRequire(import.meta.url)(path.join(root, "build/index.js")) as ServerBuild;
  return { build, hooks: build.entry.module as unknown as Hooks };
}
