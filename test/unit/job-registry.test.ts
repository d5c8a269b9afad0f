import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { JOBS } from "~/server/job-registry.server";

const root = path.resolve(import.meta.dirname, "../..");

/** Every queue name the code declares (`export const X_QUEUE = "name"`) in app/ and search/. */
function declaredQueues(): string[] {
  const names: string[] = [];
  for (const dir of ["app", "search"]) {
    for (const file of readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" })) {
      if (!/\.tsx?$/.test(file) || file.startsWith("generated")) continue;
      const text = readFileSync(path.join(root, dir, file), "utf8");
      for (const m of text.matchAll(/export const [A-Z_]+_QUEUE = "([^"]+)"/g)) names.push(m[1]!);
    }
  }
  return names.sort();
}

describe("the job registry", () => {
  it("lists every queue the code declares, once: a job queued on a queue nobody registered would never run", () => {
    const registered = JOBS.map((job) => job.queue).sort();
    expect(new Set(registered).size).toBe(registered.length);
    expect(registered).toEqual(declaredQueues());
  });
});
