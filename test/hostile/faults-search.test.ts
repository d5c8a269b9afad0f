import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { until } from "../helpers/wait";
import { FakeMeilisearch } from "../mocks/meilisearch";

// The forum runs on Meilisearch (a local fake) and the engine goes away:
// dropped connections, refused connections, or 500s. Members keep posting;
// searching says plainly that search is unavailable (a 503 with a message, no
// fallback: the PostgreSQL index is not kept up to date while Meilisearch is
// the engine); once the engine is back, the outbox brings the index up to date
// and no post is missing.

const INDEX = "backline_posts";
let meili: FakeMeilisearch;
let server: TestServer;
let member: Client;

beforeAll(async () => {
  meili = await new FakeMeilisearch().start();
  server = await startServer({ seed: true, env: { MEILI_HOST: meili.url } });
  member = await signIn(server, "member@backline.local");
  // The seeded forum is indexed at start.
  await until("the seeded forum to be indexed", () => meili.documents(INDEX).length > 0, 60_000);
});
afterAll(async () => {
  await server?.stop();
  await meili?.stop();
});

async function searchJobs() {
  const client = new pg.Client({ connectionString: server.databaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query<{ state: string; lastError: string | null }>(
      `select state, "lastError" from "Job" where queue = 'search' and state <> 'done'`,
    );
    return rows;
  } finally {
    await client.end();
  }
}

const outages = [
  {
    name: "drops every connection",
    break: async () => void (meili.available = false),
    mend: async () => void (meili.available = true),
  },
  {
    name: "refuses connections (stopped)",
    break: () => meili.stop(),
    mend: async () => void (await meili.start()),
  },
  {
    name: "answers every request with 500",
    break: async () => void (meili.broken = true),
    mend: async () => void (meili.broken = false),
  },
];

describe.each(outages)("when the search engine $name", (outage) => {
  it(
    "posting works, search answers 503 with a message, and the index catches up when the engine is back",
    { timeout: 120_000 },
    async () => {
      const word = `zebra${outage.name.length}${Date.now().toString(36)}`;
      await outage.break();
      let mended = false;
      try {
        const created = await member.post("/api/v1/threads", {
          category: "community",
          title: `Outage question about ${word}`,
          body: `The question mentions ${word} so the index can be checked.`,
        });
        expect(created.status).toBe(201);
        const thread = await created.json();
        const replies: string[] = [];
        for (let i = 0; i < 3; i++) {
          const reply = await member.post(`/api/v1/threads/${thread.id}/posts`, {
            body: `Reply ${i} while search is down, about ${word}.`,
          });
          expect(reply.status).toBe(201);
          replies.push((await reply.json()).id);
        }
        // The thread page shows every reply: nothing waits on the engine.
        const page = await member.get(thread.url);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain(`Reply 2 while search is down, about ${word}.`);

        const api = await fetch(`${server.url}/api/v1/search?q=${word}`);
        expect(api.status).toBe(503);
        expect(api.headers.get("retry-after")).toBe("30");
        expect(await api.json()).toEqual({
          error: { code: "search_unavailable", message: "Search is not available right now. Try again in a minute." },
        });
        const html = await fetch(`${server.url}/search?q=${word}`);
        expect(html.status).toBe(503);
        expect(await html.text()).toContain("Search is not available right now. Try again in a minute.");

        // The change waits in the outbox, with the reason it could not be applied yet.
        await until(
          "the failed attempt to be recorded",
          async () => (await searchJobs()).some((j) => j.state === "pending" && j.lastError),
          60_000,
        );

        await outage.mend();
        mended = true;
        const expected = [thread.postId, ...replies];
        await until(
          "the index to catch up",
          () => {
            const ids = new Set(meili.documents(INDEX).map((d) => d.postId));
            return expected.every((id) => ids.has(id));
          },
          60_000,
        );
        await until("the outbox to empty", async () => (await searchJobs()).length === 0, 60_000);

        const found = await fetch(`${server.url}/api/v1/search?q=${word}`);
        expect(found.status).toBe(200);
        const { hits } = await found.json();
        expect(hits.map((h: { threadId: string }) => h.threadId)).toEqual([thread.id]);
      } finally {
        if (!mended) await outage.mend();
      }
    },
  );
});

it("the server logged the outage as warnings, never as errors", () => {
  expect(server.output()).toContain("search");
  expect(server.output()).not.toMatch(/ ERROR /);
});
