// npm run bench:lighthouse [-- --runs 1 --json FILE]
// Lighthouse 12.2.3 (mobile: emulated mid-range phone, slow 4G, 4× CPU slowdown) on the
// home, thread and search pages of the built app with the demo data, as a visitor sees
// them, in Chromium (CHROME_PATH, default /usr/bin/chromium). Prints the category scores
// and the JavaScript each page loads (docs/decisions/043, docs/benchmarks.md).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { startServer } from "../test/helpers/server.ts";
import { pageScripts, readManifest, scriptSizes } from "./client-js.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "1" }, json: { type: "string" } } });
const ROOT = path.resolve(import.meta.dirname, "..");
const RUNS = Number(values.runs);
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;

const server = await startServer({ seed: true });
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const threads = await (await fetch(`${server.url}/api/v1/threads`)).json();
  const pages = [
    { name: "home", path: "/", route: "routes/_index" },
    { name: "thread", path: threads.threads[0].url as string, route: "routes/t.$id.($slug)" },
    { name: "search", path: "/search?q=webhook", route: "routes/search" },
  ];
  const manifest = readManifest(ROOT);
  const results = [];
  for (const page of pages) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      const result = await lighthouse(server.url + page.path, { port: chrome.port, output: "json", logLevel: "error" });
      const lhr = result!.lhr;
      const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)]));
      // What stands between the page and a perfect score, for the next person to fix.
      const failing = Object.values(lhr.audits)
        .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== "informative" && a.scoreDisplayMode !== "manual")
        .map((a) => a.id);
      const metric = (id: string) => Math.round(Number(lhr.audits[id]?.numericValue ?? 0));
      runs.push({
        scores,
        lcpMs: metric("largest-contentful-paint"),
        tbtMs: metric("total-blocking-time"),
        cls: lhr.audits["cumulative-layout-shift"]?.numericValue,
        failing,
      });
    }
    const js = scriptSizes(ROOT, pageScripts(manifest, page.route));
    results.push({ page: page.name, path: page.path, runs, js: { files: js.files, raw: js.raw, gzip: js.gzip, br: js.br } });
    for (const run of runs) {
      console.log(
        `${page.name.padEnd(7)} perf ${run.scores.performance}  a11y ${run.scores.accessibility}  best ${run.scores["best-practices"]}  seo ${run.scores.seo}` +
          `  LCP ${run.lcpMs} ms  TBT ${run.tbtMs} ms  JS ${(js.raw / 1024).toFixed(0)} kB raw / ${(js.gzip / 1024).toFixed(0)} kB gzip / ${(js.br / 1024).toFixed(0)} kB br` +
          (run.failing.length ? `\n        below 0.9: ${run.failing.join(", ")}` : ""),
      );
    }
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
} finally {
  await chrome.kill();
  await server.stop();
}
