import path from "node:path";
import { defineConfig } from "prisma/config";

// Prisma's CLI downloads the native schema engine before any command, although
// `generate` never runs it; that host is unreachable here. A path in
// PRISMA_SCHEMA_ENGINE_BINARY skips the download; migrations use the WASM engine
// through scripts/migrate.ts instead (docs/decisions/003).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve("prisma/no-schema-engine.sh");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/unused" },
});
