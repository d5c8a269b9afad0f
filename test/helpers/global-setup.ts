import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { deployMigrations } from "../../prisma/migrations.server.mts";

// Names are scoped to this run, so two runs against one server (two checkouts, CI) never drop each other's databases.
const RUN = `r${process.pid}`;
export const TEMPLATE_DB = `backline_tpl_${RUN}`;
export const TEST_DB_PREFIX = `backline_t_${RUN}_`;
const root = path.resolve(__dirname, "../..");

// Migrate once per run; every test file then starts from a copy.
export default async function setup(project: TestProject) {
  const kind = project.config.env?.TEST_DB_KIND ?? "pglite";
  if (kind === "postgres") {
    const url = process.env.TEST_DATABASE_URL!;
    await adminQuery(url, `drop database if exists ${TEMPLATE_DB} with (force)`);
    await adminQuery(url, `create database ${TEMPLATE_DB}`);
    await deployMigrations({ url: withDatabase(url, TEMPLATE_DB) });
    project.provide("templateUrl", withDatabase(url, TEMPLATE_DB));
    project.provide("testDbPrefix", TEST_DB_PREFIX);
    return async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query(`select datname from pg_database where datname like $1`, [`${TEST_DB_PREFIX}%`]);
      for (const r of rows) await client.query(`drop database if exists "${r.datname}" with (force)`);
      await client.query(`drop database if exists ${TEMPLATE_DB} with (force)`);
      await client.end();
    };
  }
  const db = await PGlite.create({ extensions: { pg_trgm } });
  await deployMigrations({ pglite: db });
  const dump = await db.dumpDataDir("none");
  await db.close();
  const dir = path.join(root, ".cache");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `pglite-template-${process.pid}.tar`);
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide("templateFile", file);
}

export async function adminQuery(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function withDatabase(url: string, database: string) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

declare module "vitest" {
  export interface ProvidedContext {
    templateFile: string;
    templateUrl: string;
    testDbPrefix: string;
  }
}
