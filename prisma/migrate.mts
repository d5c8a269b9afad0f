// npm run db:migrate:create -- <name>   diff schema.prisma against the replayed migrations
// npm run db:migrate:deploy             apply pending migrations (DATABASE_URL, or the embedded PGlite)
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { openDatabase } from "./database-url.ts";
import { deployMigrations, schemaDrift, writeMigration } from "./migrations.server.mts";

async function create(name: string) {
  // A throwaway in-memory PostgreSQL plays Prisma's "shadow database".
  const shadow = await PGlite.create({ extensions: { pg_trgm } });
  try {
    const sql = await schemaDrift(shadow);
    if (!sql.trim()) return console.log("No schema changes, no migration created.");
    const dir = await writeMigration(name, sql);
    console.log(`Created ${path.relative(process.cwd(), dir)}/migration.sql`);
  } finally {
    await shadow.close();
  }
}

async function deploy() {
  const db = await openDatabase();
  try {
    const applied = await deployMigrations(db.target);
    console.log(applied.length ? `Applied: ${applied.join(", ")}` : "No pending migrations.");
  } finally {
    await db.close();
  }
}

const [cmd, arg] = process.argv.slice(2);
if (cmd === "create" && arg) await create(arg);
else if (cmd === "deploy") await deploy();
else {
  console.error("usage: migrate.mts create <name> | deploy");
  process.exit(2);
}
// pg pools and the wasm engine keep timers alive for a while after use.
process.exit(0);
