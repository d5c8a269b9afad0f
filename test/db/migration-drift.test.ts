import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { describe, expect, it } from "vitest";
import { schemaDrift } from "../../prisma/migrations.server.mts";

describe("migrations", () => {
  it("replay to exactly what prisma/schema.prisma describes", async () => {
    const shadow = await PGlite.create({ extensions: { pg_trgm } });
    try {
      const drift = await schemaDrift(shadow);
      expect(drift, "schema.prisma changed without a migration: run npm run db:migrate:create -- <name>").toBe("");
    } finally {
      await shadow.close();
    }
  }, 60_000);
});
