import { existsSync, mkdirSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import type { PGlite } from "@electric-sql/pglite";
import type * as EngineGlue from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { projectRoot } from "../app/server/project-root.ts";

// Prisma's CLI would download a native schema engine (unreachable here); this
// drives Prisma's own WASM schema engine through the pg driver adapter instead.
// See docs/decisions/003-prisma-without-native-engines.md.
const ROOT = projectRoot(import.meta.url);
const SCHEMA = path.join(ROOT, "prisma/schema.prisma");
const MIGRATIONS = path.join(ROOT, "prisma/migrations");
const LOCK = "migration_lock.toml";
const filters = { externalTables: [], externalEnums: [] };

// The WASM glue module is one instance per process, even when this file is
// loaded twice (test projects): the engine and its queue live on globalThis.
type SchemaEngine = EngineGlue.SchemaEngine;
type Shared = { engineClass: Promise<typeof EngineGlue.SchemaEngine> | undefined; queue: Promise<unknown> };
const shared = ((globalThis as { __backlineSchemaEngine?: Shared }).__backlineSchemaEngine ??= {
  engineClass: undefined,
  queue: Promise.resolve(),
});

/** Loads the WASM module once and lets one engine run at a time. */
function loadEngine(): Promise<typeof EngineGlue.SchemaEngine> {
  shared.engineClass ??= (async () => {
    const require = createRequire(import.meta.url);
    // The engine reports Rust panics through this global before throwing.
    const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message: (m: string) => void } };
    g.PRISMA_WASM_PANIC_REGISTRY ??= { set_message: (m: string) => console.error(`Prisma schema engine panic: ${m}`) };
    const glue = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasmPath = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")), "schema_engine_bg.wasm");
    const instance = new WebAssembly.Instance(new WebAssembly.Module(await readFile(wasmPath)), {
      "./schema_engine_bg.js": glue,
    });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
    return glue.SchemaEngine;
  })();
  return shared.engineClass;
}

/**
 * A PostgreSQL server by URL, or an in-process PGlite. PGlite must be driven
 * directly: through its socket the engine cannot read PGlite's catalog columns.
 */
export type MigrationTarget = { url: string } | { pglite: PGlite };

function withEngine<T>(target: MigrationTarget, fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const run = shared.queue.then(() => runEngine(target, fn));
  shared.queue = run.catch(() => {});
  return run;
}

async function runEngine<T>(target: MigrationTarget, fn: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const SchemaEngine = await loadEngine();
  const factory = "pglite" in target ? new PrismaPGlite(target.pglite) : new PrismaPg({ connectionString: target.url, max: 1 });
  // The engine does not close the connections it opens; track and dispose them,
  // or a PostgreSQL template database stays "in use".
  const opened: { dispose: () => Promise<void> }[] = [];
  const tracked = new Proxy(factory, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop !== "connect" && prop !== "connectToShadowDb") return value;
      return async (...args: unknown[]) => {
        const adapter = await (value as (...a: unknown[]) => Promise<{ dispose: () => Promise<void> }>).apply(target, args);
        opened.push(adapter);
        return adapter;
      };
    },
  });
  const engine = await SchemaEngine.new({ datamodels: undefined }, () => {}, bindMigrationAwareSqlAdapterFactory(tracked));
  try {
    return await fn(engine);
  } finally {
    engine.free();
    for (const adapter of opened) await adapter.dispose().catch(() => {});
  }
}

export async function migrationNames(): Promise<string[]> {
  if (!existsSync(MIGRATIONS)) return [];
  return (await readdir(MIGRATIONS, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

async function migrationsList(): Promise<EngineGlue.MigrationList> {
  const lockPath = path.join(MIGRATIONS, LOCK);
  return {
    baseDir: MIGRATIONS,
    lockfile: { path: LOCK, content: existsSync(lockPath) ? await readFile(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: await Promise.all(
      (await migrationNames()).map(async (name) => ({
        path: name,
        migrationFile: {
          path: "migration.sql",
          content: { tag: "ok" as const, value: await readFile(path.join(MIGRATIONS, name, "migration.sql"), "utf8") },
        },
      })),
    ),
  };
}

/** Names of migrations not yet applied; cheap, so start-up skips the engine when none are pending. */
async function query(target: MigrationTarget, sql: string): Promise<Record<string, unknown>[]> {
  if ("pglite" in target) return (await target.pglite.query<Record<string, unknown>>(sql)).rows;
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}

export async function pendingMigrations(target: MigrationTarget): Promise<string[]> {
  const all = await migrationNames();
  const [table] = await query(target, `select to_regclass('_prisma_migrations')::text as t`);
  if (!table?.t) return all;
  const applied = await query(
    target,
    `select migration_name from _prisma_migrations where finished_at is not null and rolled_back_at is null`,
  );
  const done = new Set(applied.map((r) => r.migration_name as string));
  return all.filter((n) => !done.has(n));
}

export async function deployMigrations(target: MigrationTarget): Promise<string[]> {
  if ((await pendingMigrations(target)).length === 0) return [];
  const list = await migrationsList();
  const res = await withEngine(target, (e): Promise<{ appliedMigrationNames: string[] }> =>
    e.applyMigrations({ migrationsList: list, filters }),
  );
  return res.appliedMigrationNames;
}

/** SQL that turns the replayed migrations into the current schema ("" when they match). */
export async function schemaDrift(shadow: PGlite): Promise<string> {
  const files = [{ path: SCHEMA, content: await readFile(SCHEMA, "utf8") }];
  const list = await migrationsList();
  return withEngine({ pglite: shadow }, async (engine): Promise<string> => {
    if (list.migrationDirectories.length) await engine.applyMigrations({ migrationsList: list, filters });
    const res = await engine.diff({
      from: { tag: "schemaDatasource", files, configDir: path.dirname(SCHEMA) },
      to: { tag: "schemaDatamodel", files },
      script: true,
      exitCode: true,
      filters,
    });
    return res.exitCode === 0 ? "" : (res.stdout as string);
  });
}

export async function writeMigration(name: string, sql: string): Promise<string> {
  const ts = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dir = path.join(MIGRATIONS, `${ts}_${name.replace(/\W+/g, "_")}`);
  mkdirSync(dir, { recursive: true });
  await writeFile(path.join(dir, "migration.sql"), sql);
  if (!existsSync(path.join(MIGRATIONS, LOCK))) {
    await writeFile(
      path.join(MIGRATIONS, LOCK),
      '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
    );
  }
  return dir;
}
