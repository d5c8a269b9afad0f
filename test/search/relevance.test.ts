import { PostgresSearchEngine } from "#search/postgres.server";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { relevanceSuite } from "./relevance";

useTestDatabase();

relevanceSuite("PostgreSQL full-text search", async () => ({ engine: new PostgresSearchEngine(db) }));
