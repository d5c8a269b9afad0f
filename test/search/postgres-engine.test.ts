import { PostgresSearchEngine } from "#search/postgres.server";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { searchEngineContract } from "./contract";

// The embedded engine: PostgreSQL full-text search on this project's database
// (PGlite, or a PostgreSQL server in the "postgres" project).
useTestDatabase();

searchEngineContract("PostgreSQL full-text search", async () => ({ engine: new PostgresSearchEngine(db) }));
