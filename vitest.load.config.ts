import path from "node:path";
import { defineConfig } from "vitest/config";

// `npm run test:load`: the slow load test against the built server, kept out of
// `npm test` (vitest.config.ts excludes test/load/**). It runs on the embedded
// database, as `npm start` does out of the box.
export default defineConfig({
  resolve: {
    alias: {
      "~": path.resolve(__dirname, "app"),
      "#search": path.resolve(__dirname, "search"),
      "#prisma": path.resolve(__dirname, "prisma"),
    },
  },
  test: {
    name: "load",
    include: ["test/load/**/*.test.ts"],
    reporters: ["default"],
    pool: "forks",
    testTimeout: 600_000,
    hookTimeout: 180_000,
    env: { TEST_DB_KIND: "pglite" },
  },
});
