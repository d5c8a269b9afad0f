import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, inject } from "vitest";
import { resetEnvForTests } from "~/env.server";
import { disconnectDb } from "~/services/db.server";
import { startEmbeddedPostgres } from "~/services/embedded-postgres.server";
import { adminQuery, withDatabase } from "./global-setup";

export type TestDatabase = { url: string; kind: "pglite" | "postgres"; close: () => Promise<void> };

/** A fresh, migrated database of the project's kind (PGlite or PostgreSQL). */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (process.env.TEST_DB_KIND === "postgres") {
    const server = process.env.TEST_DATABASE_URL!;
    const name = `${inject("testDbPrefix")}${randomBytes(6).toString("hex")}`;
    const template = new URL(inject("templateUrl")).pathname.slice(1);
    await adminQuery(server, `create database ${name} template ${template}`);
    return {
      url: withDatabase(server, name),
      kind: "postgres",
      close: () => adminQuery(server, `drop database if exists ${name} with (force)`),
    };
  }
  const template = new Blob([readFileSync(inject("templateFile"))]);
  const pg = await startEmbeddedPostgres({ loadDataDir: template });
  return { url: pg.url, kind: "pglite", close: pg.close };
}

/** Gives this test file its own database and points the app's client at it. */
export function useTestDatabase() {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    process.env.DATABASE_URL = database.url;
    process.env.DATABASE_POOL_SIZE = database.kind === "pglite" ? "1" : "5";
    process.env.LOG_LEVEL ??= "warn";
    process.env.DATA_DIR ??= `.cache/test-data-${process.pid}`;
    resetEnvForTests();
  });
  afterAll(async () => {
    await disconnectDb();
    await database?.close();
  });
  return {
    get url() {
      return database!.url;
    },
  };
}
