import { describe, expect, it } from "vitest";
import { PostgresSearchEngine } from "#search/postgres.server";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";
import { thread } from "../helpers/search-documents";
import { searchEngineContract } from "./contract";

// The embedded engine: PostgreSQL full-text search on this project's database
// (PGlite, or a PostgreSQL server in the "postgres" project).
useTestDatabase();

searchEngineContract("PostgreSQL full-text search", async () => ({ engine: new PostgresSearchEngine(db) }));

describe("PostgreSQL full-text search: a thread written again", () => {
  const versions = async (threadId: string) => {
    const rows = await db.$queryRawUnsafe<{ id: string; version: string }[]>(
      `select id, xmin::text as version from "SearchDocument" where "threadId" = $1 order by "postNumber"`,
      threadId,
    );
    return new Map(rows.map((r) => [r.id, r.version]));
  };

  it("rewrites only the documents that changed, and finds the new words", async () => {
    const engine = new PostgresSearchEngine(db);
    const posts = [
      { body: "The exporter stalls on large zanzibarite archives.", author: "ada" },
      { body: "Raise the chunk size in the exporter settings.", author: "grace" },
    ];
    await engine.apply([thread({ id: "rewrite-t", title: "Exporter stalls on large archives", posts })]);
    const before = await versions("rewrite-t");

    // A reply arrives and the first post is edited: the worker sends the whole thread again.
    const edited = [
      { ...posts[0]!, body: "The exporter stalls on large quokkalite archives." },
      posts[1]!,
      { body: "Fixed by 4.2.", author: "ken" },
    ];
    await engine.apply([thread({ id: "rewrite-t", title: "Exporter stalls on large archives", posts: edited })]);
    const after = await versions("rewrite-t");

    expect(after.size).toBe(3);
    expect(after.get("rewrite-t-p0")).not.toBe(before.get("rewrite-t-p0"));
    expect(after.get("rewrite-t-p1")).toBe(before.get("rewrite-t-p1"));
    expect((await engine.search({ q: "quokkalite" })).hits.map((h) => h.threadId)).toEqual(["rewrite-t"]);
    expect((await engine.search({ q: "zanzibarite" })).total).toBe(0);
  });
});
