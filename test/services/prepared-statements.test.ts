import { afterEach, describe, expect, it } from "vitest";
import type { PrismaClient } from "~/generated/prisma/client";
import { createPrismaClient } from "~/services/db.server";
import { useTestDatabase } from "../helpers/database";

// The embedded database runs every statement on the app's one thread, so each
// query is parsed and planned once per connection (named statements) rather
// than on every call. PGlite keeps a single session behind all its socket
// connections, which is what the reconnect case below is about.

const database = useTestDatabase();
const clients: PrismaClient[] = [];
const open = (prepared: boolean) => {
  const client = createPrismaClient(database.url, 1, { prepared });
  clients.push(client);
  return client;
};
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.$disconnect()));
});

const ourStatements = async (client: PrismaClient) =>
  await client.$queryRawUnsafe<{ name: string; statement: string }[]>(
    `select name, statement from pg_prepared_statements where name like 'b\\_%' order by name`,
  );

describe("named prepared statements", () => {
  it("prepares a repeated query once and reuses it", async () => {
    const client = open(true);
    for (let i = 0; i < 3; i++) expect(await client.category.findMany({ where: { slug: `none-${i}` } })).toEqual([]);
    const named = (await ourStatements(client)).filter((s) => s.statement.includes(`FROM "public"."Category"`));
    expect(named).toHaveLength(1);
  });

  it("a new connection to the same session starts clean instead of failing on the old names", async () => {
    const first = open(true);
    await first.user.count();
    expect((await ourStatements(first)).length).toBeGreaterThan(0);
    await first.$disconnect();
    // On PGlite the second connection finds the first one's statements in the session.
    const second = open(true);
    await expect(second.user.count()).resolves.toBeTypeOf("number");
    await expect(second.user.count()).resolves.toBeTypeOf("number");
  });

  it("names at most 300 distinct statements; the rest run unnamed", async () => {
    const client = open(true);
    for (let i = 0; i < 320; i++) await client.$queryRawUnsafe(`select ${i}::int as n where $1::int = 1`, 1);
    const named = await ourStatements(client);
    expect(named.length).toBeLessThanOrEqual(300);
    expect(named.length).toBeGreaterThan(250);
    expect(await client.$queryRawUnsafe(`select 319::int as n where $1::int = 1`, 1)).toEqual([{ n: 319 }]);
  });

  it("is off unless asked for: no statement is named", async () => {
    const client = open(false);
    await client.$executeRawUnsafe("deallocate all"); // what earlier tests left in PGlite's one session
    await client.user.count();
    expect(await ourStatements(client)).toEqual([]);
  });
});
