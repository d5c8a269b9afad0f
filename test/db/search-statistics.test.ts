import { describe, expect, it } from "vitest";
import { db } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";

// ANALYZE's sample grows with the statistics target, and on the embedded database the memory it
// takes is never given back: the search tables keep a small one (migration search_statistics_targets).
useTestDatabase();

describe("search tables' statistics", () => {
  it("sample at most 3,000 rows on ANALYZE (a statistics target of 10 on every column)", async () => {
    const columns = await db.$queryRawUnsafe<{ relation: string; column: string; target: number | null }[]>(
      `select attrelid::regclass::text as relation, attname as column, attstattarget::int as target
       from pg_attribute
       where attrelid in ('"SearchThread"'::regclass, '"SearchDocument"'::regclass) and attnum > 0 and not attisdropped`,
    );
    expect(columns.length).toBeGreaterThan(20);
    // NULL or -1 is the server's default (100): a column added later must say its target too.
    expect(columns.filter((c) => c.target === null || c.target < 0 || c.target > 10)).toEqual([]);
  });
});
