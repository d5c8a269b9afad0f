// `npm start` (the forum) and `npm run worker` (background jobs only): build when a
// source is newer than build/, then run the bundled entry point (docs/decisions/019).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { buildApp, bundlePath, isStale } from "./build-app.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const entry = process.argv[2] === "worker" ? "worker" : "main";

// Read here, before the app's modules (and its env schema, which also checks it) are loaded.
if (process.env.BACKLINE_BUILD !== "skip") {
  if (isStale(root)) {
    console.log("Building the app…");
    await buildApp(root);
  }
} else if (!existsSync(bundlePath(root, entry))) {
  console.error("build/ is missing: run `npm run build` first (BACKLINE_BUILD=skip serves build/ as it is).");
  process.exit(1);
}

await import(pathToFileURL(bundlePath(root, entry)).href);
