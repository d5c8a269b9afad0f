import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startArguments } from "../../app/server/start-command.mjs";

const root = path.resolve(import.meta.dirname, "../..");

function projectWith(scripts: Record<string, string>) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "backline-start-"));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ scripts }));
  return dir;
}

describe("startArguments", () => {
  it("gives the benchmark and the tests the same node flags as npm start and npm run worker", () => {
    expect(startArguments(root)).toEqual(["--max-old-space-size=192", "--max-semi-space-size=4", "app/server/start.mjs"]);
    expect(startArguments(root, "worker")).toEqual([
      "--max-old-space-size=192",
      "--max-semi-space-size=4",
      "app/server/start.mjs",
      "worker",
    ]);
  });

  it("refuses a start script that does not run the forum's entry point with node", () => {
    expect(() => startArguments(projectWith({ start: "tsx app/server/main.ts" }))).toThrow(
      /must be "node \[flags\] app\/server\/start.mjs/,
    );
    expect(() => startArguments(projectWith({}), "worker")).toThrow(/"worker" must be/);
  });
});
