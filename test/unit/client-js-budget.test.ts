import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { pageScripts, readManifest, scriptSizes } from "../../bench/client-js";

// A visitor's pages stay within a JavaScript budget on the wire (issue 17, docs/decisions/043),
// read from the build the tests run against (npm run build). A size budget, not a timing.

const ROOT = path.resolve(__dirname, "../..");
const BUDGET_BYTES = 150 * 1024;

describe("JavaScript a visitor downloads", () => {
  const manifest = readManifest(ROOT);

  it.each(["routes/t.$id.($slug)", "routes/_index", "routes/search"])("keeps %s within 150 kB compressed", (routeId) => {
    const sizes = scriptSizes(ROOT, pageScripts(manifest, routeId));
    expect(Math.max(sizes.gzip, sizes.br), JSON.stringify(sizes)).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it("never ships zod to the browser: its schemas stay on the server", () => {
    const dir = path.join(ROOT, "public/build");
    const scripts = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
    const withZod = scripts.filter((f) => /\bZodType\b|\$ZodObject/.test(readFileSync(path.join(dir, f), "utf8")));
    expect(withZod).toEqual([]);
  });
});
