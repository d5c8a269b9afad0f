// npm run db:seed: the demo data `npm start` seeds on an empty database (once).
import { openDatabase } from "./database-url.ts";
import { deployMigrations } from "./migrations.server.mts";

const database = await openDatabase();
process.env.DATABASE_URL = database.url;
process.env.DATABASE_POOL_SIZE = "1";
await deployMigrations(database.target);
const { seedDemoData } = await import("./seed-data.server.ts");
const { disconnectDb } = await import("../app/services/db.server.ts");
const demo = await seedDemoData();
console.log(demo ? `Seeded demo data; demo password "${demo.password}"` : "Demo data was seeded before; nothing to do.");
await disconnectDb();
await database.close();
process.exit(0);
