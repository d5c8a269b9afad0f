// The node arguments `npm start` (and `npm run worker`) use, read from package.json, so the
// benchmark and the tests run the forum exactly as it is started in production,
// V8 heap limits included (docs/decisions/021).
import { readFileSync } from "node:fs";
import path from "node:path";

/** `["--max-old-space-size=…", …, "app/server/start.mjs"]` for the named npm script. */
export function startArguments(root, script = "start") {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
  const [command, ...args] = String(pkg.scripts?.[script] ?? "")
    .trim()
    .split(/\s+/);
  if (command !== "node" || !args.some((a) => a.endsWith("app/server/start.mjs"))) {
    throw new Error(`package.json "${script}" must be "node [flags] app/server/start.mjs …", found: ${pkg.scripts?.[script]}`);
  }
  return args;
}
