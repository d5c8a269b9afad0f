// What `npm start` serves: the Remix app (build/index.js, public/build) and the
// server's entry points bundled to plain JavaScript (build/server/*.mjs), so the
// running server needs no TypeScript loader (docs/decisions/019).
// Plain JavaScript on purpose: it runs before anything can be compiled.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

export const ENTRIES = { main: "app/server/main.ts", worker: "app/server/worker.ts" };
const SOURCES = ["app", "prisma/seed-data.server.ts", "prisma/migrations.server.mts", "remix.config.js", "package.json", "tsconfig.json"];

export const bundlePath = (root, entry) => path.join(root, "build/server", `${entry}.mjs`);

function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const stat = statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(p)) {
    if (entry === "generated") continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

/** True when an output is missing or a source is newer than the oldest output. */
export function isStale(root) {
  const outputs = [path.join(root, "build/index.js"), ...Object.keys(ENTRIES).map((e) => bundlePath(root, e))];
  if (outputs.some((o) => !existsSync(o))) return true;
  const built = Math.min(...outputs.map((o) => statSync(o).mtimeMs));
  return SOURCES.some((s) => newestMtime(path.join(root, s)) > built);
}

// Packages stay in node_modules; only our own modules (relative, or through the tsconfig
// aliases `~/` and `#search/`) are compiled in.
const ourModulesOnly = {
  name: "our-modules-only",
  setup(build) {
    build.onResolve({ filter: /^[^.~/#]/ }, (args) => ({ path: args.path, external: true }));
  },
};

export async function buildApp(root) {
  const remix = spawnSync(process.execPath, [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "build"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  if (remix.status !== 0) throw new Error("remix build failed");
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, file])),
    outdir: "build/server",
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    plugins: [ourModulesOnly],
    logLevel: "warning",
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  await buildApp(root);
}
