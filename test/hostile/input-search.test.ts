import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getSearchEngine, stopSearch } from "#search/index.server";
import { SEARCH_QUEUE, searchJobHandler } from "#search/outbox.server";
import { resetEnvForTests } from "~/env.server";
import { hideThread } from "~/models/moderation/thread-moderation.server";
import { parseSearchParams, searchForum } from "~/models/community/search.server";
import { listTags } from "~/models/community/tag-directory.server";
import { createThread, listThreads, parseListThreadsQuery } from "~/models/community/thread.server";
import { db } from "~/services/db.server";
import { runOnce } from "~/services/jobs.server";
import { FakeMeilisearch } from "../mocks/meilisearch";
import { useTestDatabase } from "../helpers/database";
import { makeCategory, makeUser } from "../helpers/factories";

// SQL and Meilisearch filter syntax typed into every search field is only ever
// text: no error, nothing from another category, nothing hidden. The same
// hostile inputs run against both engines: PostgreSQL full-text search and
// Meilisearch (the local fake parses filters with Meilisearch's own rules, so
// an injected clause would change what it returns or fail to parse).

useTestDatabase();

const SQL = [
  "' OR 1=1 --",
  "' OR '1'='1",
  '"; drop table "User"; --',
  '\'; delete from "Thread"; --',
  "1; select pg_sleep(5)",
  "%",
  "%%",
  "_",
  "__",
  "\\",
  "\\\\",
  "'",
  '"',
  "\\'",
  '\' union select email, "passwordHash" from "User" --',
  "$1",
  "$$",
  "E'\\x00'",
  "::text",
  "/*",
  "*/",
  "--",
];
const TSQUERY = ["!", "&", "|", "<->", "()", ")", "(", ":*", "a:*", "!!!", "& | !", "a & !b", "'a' <-> 'b'", "*", "<2>"];
const FILTER = [
  '" OR categorySlug = "secret-stuff',
  'x" OR visibility = "maintainers',
  "tags = secret",
  '" OR tags = "secret',
  '\\" OR 1 = 1 OR \\"',
  "x\\",
  '\\"',
  '" OR threadId EXISTS OR "',
  'categorySlug IN ["secret-stuff"]',
  "] OR [",
  "visibility != public",
  "NOT visibility = public",
  "_geoRadius(0, 0, 1)",
  '" AND "',
  "a\"b'c\\d",
];
const QUERIES = [...SQL, ...TSQUERY, ...FILTER];

let open: Awaited<ReturnType<typeof makeCategory>>;
let secret: Awaited<ReturnType<typeof makeCategory>>;
const marker = "zebrafish";

const drain = async () => {
  const handler = searchJobHandler(getSearchEngine);
  while ((await runOnce(SEARCH_QUEUE, handler)) > 0);
};

beforeAll(async () => {
  const [author, moderator] = await Promise.all([makeUser({ username: "writer_1" }), makeUser({ role: "moderator" })]);
  [open, secret] = await Promise.all([makeCategory({ slug: "open-stuff" }), makeCategory({ slug: "secret-stuff" })]);
  await createThread(author, {
    category: open.slug,
    title: `The ${marker} export question`,
    body: `How do I export a ${marker} report?`,
    tags: "export",
  });
  await createThread(author, {
    category: secret.slug,
    title: `The ${marker} moved elsewhere`,
    body: `Another ${marker} thread in another category.`,
    tags: "secret",
  });
  const hidden = await createThread(author, {
    category: open.slug,
    title: `A hidden ${marker} thread`,
    body: `Hidden ${marker} text that no one may find.`,
    tags: "secret",
  });
  await hideThread(moderator, hidden.id, { reason: "spam" });
  // What people type is stored as typed, SQL and all, and found as text.
  await createThread(author, {
    category: open.slug,
    title: `Why does ' OR 1=1 -- show up in ${marker} logs?`,
    body: `Our logs show "; drop table "User"; -- and 100% _wildcards_ \\ backslashes.`,
  });
});

for (const engineName of ["postgres", "meilisearch"] as const) {
  describe(`search on ${engineName}`, () => {
    let fake: FakeMeilisearch | undefined;
    beforeAll(async () => {
      await stopSearch();
      if (engineName === "meilisearch") {
        fake = await new FakeMeilisearch().start();
        process.env.MEILI_HOST = fake.url;
      } else {
        delete process.env.MEILI_HOST;
      }
      resetEnvForTests();
      await getSearchEngine().prepare();
      await db.job.updateMany({ where: { queue: SEARCH_QUEUE }, data: { state: "pending", runAt: new Date(0) } });
      await drain();
    });
    afterAll(async () => {
      await stopSearch();
      delete process.env.MEILI_HOST;
      resetEnvForTests();
      await fake?.stop();
    });

    const search = (input: Record<string, string | undefined>) => searchForum(parseSearchParams(input), null);
    const titles = async (input: Record<string, string | undefined>) =>
      (await search(input)).hits.map((h) => `${h.category.slug}: ${h.title}`);

    it("finds the honest query in its category only, and never the hidden thread", async () => {
      expect(await titles({ q: marker, category: "open-stuff" })).toEqual(
        expect.arrayContaining([`open-stuff: The ${marker} export question`]),
      );
      const all = await titles({ q: marker });
      expect(all.some((t) => t.startsWith("secret-stuff"))).toBe(true);
      expect(all.join("\n")).not.toMatch(/hidden/i);
      // The engine under test answered (not a fallback).
      if (fake) expect(fake.requestsTo("POST", /\/search$/).length).toBeGreaterThan(0);
    });

    it(`treats ${QUERIES.length} SQL, tsquery and filter strings in q as text: no error, nothing hidden, nothing outside the category`, async () => {
      for (const q of QUERIES) {
        for (const input of [{ q }, { q: `${marker} ${q}` }, { q: `${q} ${marker}`, category: "open-stuff" }]) {
          const result = await search(input);
          const shown = result.hits.map((h) => `${h.category.slug}: ${h.title}`).join("\n");
          expect(shown, JSON.stringify(input)).not.toMatch(/hidden/i);
          if (input.category)
            expect(
              result.hits.every((h) => h.category.slug === "open-stuff"),
              JSON.stringify(input),
            ).toBe(true);
        }
        // Wildcards are not wildcards: "%" alone matches nothing rather than everything.
        if (["%", "%%", "_", "__", "*"].includes(q)) expect((await search({ q })).total, q).toBe(0);
      }
    });

    it(`keeps ${FILTER.length + SQL.length} hostile category, tag and author filters inside their value`, async () => {
      for (const value of [...FILTER, ...SQL]) {
        for (const field of ["category", "tag", "author"] as const) {
          const result = await search({ q: marker, [field]: value });
          // No category, tag or username is spelled like this: nothing matches.
          expect(result.hits, `${field}=${JSON.stringify(value)}`).toEqual([]);
        }
      }
      expect((await search({ q: marker, tag: "secret" })).hits.map((h) => h.category.slug)).toEqual(["secret-stuff"]);
    });

    it("refuses SQL in the status, sort and page parameters with 400", async () => {
      for (const input of [
        { solved: "true' OR '1'='1" },
        { solved: "true OR visibility = maintainers" },
        { sort: 'relevance; drop table "User"' },
        { page: "1; select 1" },
        { perPage: "10 OR 1=1" },
        { from: "2025-01-01' OR '1'='1" },
        { to: '2025-01-01" OR 1=1' },
      ]) {
        const error = await (async () => search({ q: marker, ...input }))().catch((e) => e);
        expect(error.status, JSON.stringify(input)).toBe(400);
      }
    });

    it("finds the thread whose title is SQL by its words, shown as typed", async () => {
      const hits = (await search({ q: "OR 1=1 logs" })).hits;
      expect(hits.map((h) => h.title)).toContain(`Why does ' OR 1=1 -- show up in ${marker} logs?`);
    });
  });
}

describe("the rest of the forum's text fields", () => {
  it("still has every table after all of it, and stored the SQL as text", async () => {
    expect(await db.user.count()).toBeGreaterThan(0);
    const stored = await db.post.findFirst({ where: { body: { contains: "drop table" } }, select: { body: true } });
    expect(stored?.body).toBe(`Our logs show "; drop table "User"; -- and 100% _wildcards_ \\ backslashes.`);
  });

  it("treats % and _ in the tag directory as characters, not wildcards", async () => {
    expect((await listTags({ q: "%" })).map((t) => t.name)).toEqual([]);
    expect((await listTags({ q: "_" })).map((t) => t.name)).toEqual([]);
    expect((await listTags({ q: "xpor" })).map((t) => t.name)).toEqual(["export"]);
  });

  it("lists nothing for a category or tag filter spelled as SQL", async () => {
    for (const value of ["%", "_", "' OR 1=1 --", "open-stuff' OR '1'='1", "\\"]) {
      for (const field of ["category", "tag"] as const) {
        const listed = await listThreads(parseListThreadsQuery({ [field]: value })).catch((e: { status: number }) => e);
        if ("status" in listed) expect([400, 404], `${field}=${value}`).toContain(listed.status);
        else expect(listed.threads, `${field}=${value}`).toEqual([]);
      }
    }
  });

  it("refuses tag names and usernames that are SQL with a field message", async () => {
    const author = await makeUser();
    for (const tags of ["' OR 1=1 --", "%", "a_b;drop", "\\"]) {
      const error = await createThread(author, {
        category: open.slug,
        title: "A question with strange tags",
        body: "The body of the question.",
        tags,
      }).catch((e) => e);
      expect(error.status, tags).toBe(400);
      expect(error.fields?.tags ?? error.fields?.["tags.0"], tags).toMatch(/Tags are 1–30 letters/);
    }
    for (const username of ["' OR 1=1 --", "admin'--", "a%b", '"User"']) {
      const error = await makeUser({ username }).catch((e) => e);
      expect(error.status, username).toBe(400);
    }
  });
});
