import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type { ServerBuild } from "@remix-run/node";
import { EnvError, parseEnv } from "../env.server";

// `npm start` serves the optimized build; it rebuilds only when a source is newer.
const SOURCES = ["app", "prisma/seed-data.server.ts", "remix.config.js", "package.json", "tsconfig.json"];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const stat = statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(p)) {
    if (entry === "generated" || entry === "server") continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

export function ensureBuild(root: string) {
  const built = path.join(root, "build/index.js");
  const stale = !existsSync(built) || SOURCES.some((s) => newestMtime(path.join(root, s)) > statSync(built).mtimeMs);
  if (!stale) return false;
  console.log("Building the app (remix build)…");
  const result = spawnSync(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "build"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (result.status !== 0) throw new Error("remix build failed");
  return true;
}

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

/** The server build's module, whose entry exports the lifecycle hooks (app/services/lifecycle.server.ts). */
export function loadBuild<Hooks>(root: string) {
  const build = createRequire(import.meta.url)(path.join(root, "build/index.js")) as ServerBuild;
  return { build, hooks: build.entry.module as unknown as Hooks };
}
