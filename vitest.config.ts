import path from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

// Integration suites run on embedded PGlite always and, when TEST_DATABASE_URL
// names a PostgreSQL server, a second time against it (docs/decisions/008).
const postgres = process.env.TEST_DATABASE_URL;
const alias = {
  "~": path.resolve(__dirname, "app"),
  "#search": path.resolve(__dirname, "search"),
  "#prisma": path.resolve(__dirname, "prisma"),
};
const shared = {
  globalSetup: ["test/helpers/global-setup.ts"],
  testTimeout: 30_000,
  hookTimeout: 120_000,
  pool: "forks" as const,
};

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ["default"],
    projects: [
      {
        resolve: { alias },
        test: {
          ...shared,
          name: "pglite",
          include: ["test/**/*.test.{ts,tsx}"],
          // The load test is slow: `npm run test:load` (vitest.load.config.ts).
          exclude: [...configDefaults.exclude, "test/load/**"],
          env: { TEST_DB_KIND: "pglite" },
        },
      },
      ...(postgres
        ? [
            {
              resolve: { alias },
              test: {
                ...shared,
                name: "postgres",
                include: ["test/**/*.test.{ts,tsx}"],
                exclude: [
                  ...configDefaults.exclude,
                  "test/load/**",
                  "test/e2e/**",
                  "test/hostile/*-browser.test.ts",
                  "test/services/markdown.test.ts",
                  "test/unit/**",
                ],
                env: { TEST_DB_KIND: "postgres" },
              },
            },
          ]
        : []),
    ],
  },
});
