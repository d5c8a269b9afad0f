// npm run bench:lighthouse [-- --runs 1 --json FILE]
// Lighthouse 12.2.3 (mobile: emulated mid-range phone, slow 4G, 4× CPU slowdown) on the
// home, thread and search pages of the built app with the demo data, as a visitor sees
// them, in Chromium (CHROME_PATH, default /usr/bin/chromium). Prints the category scores
// and the JavaScript each page loads (docs/decisions/043, docs/benchmarks.md).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { startArguments } from "../app/server/start-command.mjs";
import { pageScripts, readManifest, scriptSizes } from "./client-js.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "1" }, json: { type: "string" } } });
const ROOT = path.resolve(import.meta.dirname, "..");
const RUNS = Number(values.runs);
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;

/** The built app as `npm start` runs it, on the demo data in a folder of its own (like the HTTP tests' server). */
async function startDemo() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "backline-lighthouse-"));
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production" as const, PORT: "0", HOST: "127.0.0.1" };
  const child = spawn(process.execPath, startArguments(ROOT), {
    cwd: ROOT,
    env: { ...env, DATA_DIR: dataDir, BACKLINE_SEED: "1", LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.on("exit", (code) => reject(new Error(`the app exited with ${code}:\n${out}`)));
    child.stdout!.on("data", (d) => {
      out += d;
      const m = out.match(/listening on \S+:(\d+);/);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
  });
  return {
    url,
    async stop() {
      child.removeAllListeners("exit");
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const server = await startDemo();
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
      if (lhr.runtimeError) console.error(`${page.name}: Lighthouse could not measure: ${lhr.runtimeError.message}`);
      const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)]));
      // What stands between the page and a perfect score, for the next person to fix.
      const failing = Object.values(lhr.audits)
        .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== "informative" && a.scoreDisplayMode !== "manual")
        .map((a) => {
          const items = (a.details as { items?: Record<string, unknown>[] } | undefined)?.items ?? [];
          return { id: a.id, value: a.displayValue, items: items.slice(0, 5).map((item) => item.url ?? item.node ?? item.label ?? item) };
        });
      const metric = (id: string) => Math.round(Number(lhr.audits[id]?.numericValue ?? 0));
      runs.push({
        // Lighthouse's own CPU yardstick: far below ~1000 means the machine was busy and the timings are inflated.
        benchmarkIndex: Math.round(lhr.environment.benchmarkIndex),
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
          `  LCP ${run.lcpMs} ms  TBT ${run.tbtMs} ms  CPU index ${run.benchmarkIndex}  JS ${(js.raw / 1024).toFixed(0)} kB raw / ${(js.gzip / 1024).toFixed(0)} kB gzip / ${(js.br / 1024).toFixed(0)} kB br` +
          (run.failing.length ? `\n        below 0.9: ${run.failing.map((a) => a.id).join(", ")}` : ""),
      );
    }
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), results }, null, 2));
} finally {
  await chrome.kill();
  await server.stop();
}
