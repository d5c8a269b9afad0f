import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";
import { Client, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { until, untilSearchIndexed } from "../helpers/wait";

// Search over HTTP on the built app, as `npm start` runs it: the demo forum is
// indexed at start by the worker, and the API answers every query with JSON.

let server: TestServer;
let api: Client;

beforeAll(async () => {
  server = await startServer({ seed: true });
  api = new Client(server.url);
  await untilSearchIndexed(server);
});
afterAll(async () => {
  await server?.stop();
});

describe("GET /api/v1/search", () => {
  it("finds a thread despite a typo, with escaped highlighted snippets and facets", async () => {
    const res = await api.get("/api/v1/search?q=webhok%20signatur");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.total).toBe(1);
    expect(body.hits[0]).toMatchObject({
      title: "Webhook signature fails after upgrading to 3.2",
      solved: true,
      category: { slug: "pro" },
    });
    expect(body.hits[0].titleHtml).toBe("<mark>Webhook</mark> <mark>signature</mark> fails after upgrading to 3.2");
    expect(body.hits[0].snippet).toMatch(/<mark>/);
    expect(body.hits[0].url).toMatch(/^\/t\/\w+\//);
    expect(body.facets.category).toEqual([{ value: "pro", count: 1 }]);
    expect(body).toMatchObject({ page: 1, pages: 1, sort: "relevance" });
  });

  it("filters by category, tag and solved state", async () => {
    const solved = await (await api.get("/api/v1/search?q=installation&solved=true&category=community&tag=installation")).json();
    expect(solved.hits.map((h: { title: string }) => h.title)).toEqual(["Installation on Debian 12 fails with EACCES"]);
    const none = await (await api.get("/api/v1/search?q=installation&category=pro")).json();
    expect(none.total).toBe(0);
  });

  it("answers absurd queries sensibly, never with a 500", async () => {
    const queries = [
      "",
      "   ",
      "?!&|<>()[]{}:*'\"",
      "x".repeat(2000),
      "installation ".repeat(154),
      `'; drop table "Post"; --`,
      'webhook" OR visibility = "maintainers',
      "categorySlug = pro AND _geoRadius(1,2,3)",
      "%00%ff%fe",
    ];
    for (const q of queries) {
      const res = await api.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q.slice(0, 40)).toBe(200);
      const body = await res.json();
      expect(Array.isArray(body.hits)).toBe(true);
    }
    const hostile = await api.get(
      `/api/v1/search?q=installation&category=${encodeURIComponent('community" OR visibility = "maintainers')}`,
    );
    expect((await hostile.json()).total).toBe(0);
  });

  it("rejects malformed parameters with a 400 naming them", async () => {
    const res = await api.get("/api/v1/search?q=webhook&page=0&solved=maybe");
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("invalid_request");
    expect(Object.keys(body.error.fields).sort()).toEqual(["page", "solved"]);
  });

  it("stops returning a thread as soon as a moderator hides it", async () => {
    // A thread of its own: the seeded threads are what the other tests search for.
    const mod = await signIn(server, "moderator@backline.local");
    const asked = await mod.post("/api/v1/threads", {
      category: "community",
      title: "Dark mode for the dashboard?",
      body: "Could the dashboard get a dark theme (platypine)?",
    });
    expect(asked.status).toBe(201);
    const [hit] = await until("the new thread to be indexed", async () => {
      const { hits } = await (await api.get("/api/v1/search?q=platypine")).json();
      return hits.length ? hits : undefined;
    });
    expect(hit.title).toBe("Dark mode for the dashboard?");
    const hide = await mod.post(`/api/v1/threads/${hit.threadId}/hide`, { reason: "Testing search" });
    expect(hide.status).toBe(200);
    expect((await (await api.get("/api/v1/search?q=platypine")).json()).total).toBe(0);
  });
});

/**
 * Asked twice in a row, the second answer comes from the cache. Retried for a moment: a poll of the
 * content version can land between the two (each local write is followed by the poll seeing it).
 */
async function expectCachedOnRepeat(path: string) {
  const deadline = Date.now() + 3000;
  let last: Response;
  do {
    await (await api.get(path)).arrayBuffer();
    last = await api.get(path);
    if (last.headers.get("x-cache") === "HIT") return last;
  } while (Date.now() < deadline);
  expect(last.headers.get("x-cache"), path).toBe("HIT");
  return last;
}

describe("visitors' searches in the page cache (ADR 020)", () => {
  it("answers a repeated search from the cache, and finds a new reply's word once the index has it", async () => {
    const word = `quokka${Date.now().toString(36)}`;
    const first = await api.get(`/api/v1/search?q=${word}`);
    expect(first.headers.get("x-cache")).toBe("MISS");
    expect((await first.json()).total).toBe(0);
    const again = await expectCachedOnRepeat(`/api/v1/search?q=${word}`);
    expect(again.headers.get("cache-control")).toBe("public, max-age=0, must-revalidate");
    expect((await again.json()).total).toBe(0);

    const member = new Client(server.url);
    await member.post("/api/v1/session", { email: "member@backline.local", password: DEMO_PASSWORD });
    const [thread] = (await (await api.get("/api/v1/search?q=webhook")).json()).hits;
    const reply = await member.post(`/api/v1/threads/${thread.threadId}/posts`, { body: `A ${word} ate the webhook cable.` });
    expect(reply.status).toBe(201);

    // The write empties the cache at once; the answer given before the worker indexed the reply
    // is cached too, and the index write has to drop it.
    const seen: { total: number; cache: string | null }[] = [];
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await api.get(`/api/v1/search?q=${word}`);
      seen.push({ total: (await res.json()).total, cache: res.headers.get("x-cache") });
      if (seen.at(-1)!.total === 1 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(seen.at(-1)).toEqual({ total: 1, cache: "MISS" });
    const page = await api.get(`/search?q=${word}`);
    expect(page.headers.get("x-cache")).toBe("MISS");
    expect(await page.text()).toContain("ate the webhook cable");
    await expectCachedOnRepeat(`/search?q=${word}`);
  });

  it("never caches a signed-in member's search", async () => {
    const member = new Client(server.url);
    await member.post("/api/v1/session", { email: "member2@backline.local", password: DEMO_PASSWORD });
    for (const path of ["/api/v1/search?q=installation", "/search?q=installation"]) {
      await member.get(path);
      const res = await member.get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-cache"), path).toBeNull();
      expect(res.headers.get("cache-control"), path).toMatch(/private/);
    }
  });
});

describe("GET /api/v1/similar", () => {
  it("lists close threads, solved first, with the accepted answer's first lines", async () => {
    const res = await api.get(`/api/v1/similar?title=${encodeURIComponent("npm install fails on Debian")}`);
    expect(res.status).toBe(200);
    const threads = await res.json();
    expect(threads[0]).toMatchObject({ title: "Installation on Debian 12 fails with EACCES", solved: true });
    expect(threads[0].acceptedAnswer.excerpt).toContain("npm config set prefix");
    expect(threads.length).toBeLessThanOrEqual(5);
  });

  it("answers an empty list for an empty or unrelated title", async () => {
    expect(await (await api.get("/api/v1/similar")).json()).toEqual([]);
    expect(await (await api.get("/api/v1/similar?title=zzzz%20qqqq%20xxxx")).json()).toEqual([]);
  });
});

describe("the search page and the API description", () => {
  it("renders highlighted results for a misspelt query", async () => {
    const res = await api.get("/search?q=instalation");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<mark>Installation</mark> on Debian 12 fails with EACCES");
    expect(html).toContain("1 thread for “instalation”");
  });

  it("keeps working with a hand-edited URL", async () => {
    const res = await api.get("/search?q=webhook&page=-3&solved=perhaps&sort=chaos");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("<mark>Webhook</mark>");
  });

  it("describes both endpoints in the OpenAPI document", async () => {
    const doc = await (await api.get("/api/v1/openapi.json")).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/v1/search", "/api/v1/similar"]));
    const params = doc.paths["/api/v1/search"].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(["q", "category", "tag", "solved", "author", "from", "to", "sort", "page"]));
  });
});
