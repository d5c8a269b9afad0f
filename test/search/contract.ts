import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchEngine, SearchQuery, ThreadDocuments } from "#search/engine";
import { thread, threadIds } from "../helpers/search-documents";

// What every search engine must do, whatever its ranking details (ADR 004):
// find, tolerate typos, match prefixes, filter, count facets, highlight safely,
// never leak private or removed content, and survive absurd input. Run against
// the PostgreSQL engine and the Meilisearch adapter on the local fake always,
// and a real Meilisearch when MEILI_HOST is set.

const K = {
  debian: thread({
    id: "k-debian",
    title: "Installation fails on Debian with permission denied",
    category: "community",
    tags: ["installation", "linux"],
    accepted: 1,
    posts: [
      {
        body: "Running the installer as a normal user fails with EACCES permission denied.",
        author: "ada",
        createdAt: "2025-03-01T10:00:00Z",
      },
      {
        body: "Set a user prefix with npm config set prefix and add the bin folder to your PATH.",
        author: "grace",
        createdAt: "2025-03-02T10:00:00Z",
      },
    ],
  }),
  webhook: thread({
    id: "k-webhook",
    title: "Webhook signature rejected after upgrade",
    tags: ["webhooks"],
    posts: [
      {
        body: "Since the upgrade every webhook delivery is rejected with an invalid signature.",
        author: "linus",
        createdAt: "2025-04-01T10:00:00Z",
      },
    ],
  }),
  payment: thread({
    id: "k-payment",
    title: "Payment stays pending forever",
    category: "community",
    tags: ["payments"],
    accepted: 1,
    posts: [
      { body: "The payment never completes and customers wait for a receipt.", author: "ken", createdAt: "2025-05-01T10:00:00Z" },
      { body: "Capture the authorization within seven days.", author: "grace", createdAt: "2025-05-02T10:00:00Z" },
    ],
  }),
  theme: thread({
    id: "k-theme",
    title: "Dark theme for the dashboard",
    category: "community",
    tags: ["themes"],
    posts: [
      {
        body: "Could the dark theme ship with the installation by default? The sidebar is too bright.",
        author: "hedy",
        createdAt: "2025-06-01T10:00:00Z",
      },
    ],
  }),
  markup: thread({
    id: "k-markup",
    title: "Template shows <b>raw</b> tags",
    tags: ["themes"],
    posts: [
      {
        body: "The template prints <script>alert(1)</script> & friends literally in the sidebar widget.",
        author: "tim",
        createdAt: "2025-07-01T10:00:00Z",
      },
    ],
  }),
  old: thread({
    id: "k-old",
    title: "Legacy importer crashes",
    tags: ["upgrade"],
    posts: [{ body: "The legacy importer crashes on large archives.", author: "alan", createdAt: "2020-01-15T00:00:00Z" }],
  }),
  secret: thread({
    id: "k-secret",
    title: "Refund request for installation ticket",
    visibility: "maintainers",
    tags: ["payments"],
    posts: [
      {
        body: "Private: customer card ending 4242 wants a refund for the installation service.",
        author: "ada",
        createdAt: "2025-08-01T10:00:00Z",
      },
    ],
  }),
};
const FIXTURE: ThreadDocuments[] = Object.values(K);

export type EngineHarness = { engine: SearchEngine; cleanup?: () => Promise<void> };

export function searchEngineContract(label: string, setup: () => Promise<EngineHarness>) {
  describe(`${label}: the search engine contract`, () => {
    let engine: SearchEngine;
    let cleanup: (() => Promise<void>) | undefined;
    const search = (q: string, more: Partial<SearchQuery> = {}) => engine.search({ q, ...more });
    const ids = async (q: string, more: Partial<SearchQuery> = {}) => threadIds((await search(q, more)).hits);

    beforeAll(async () => {
      ({ engine, cleanup } = await setup());
      await engine.prepare();
      await engine.apply(FIXTURE);
    });
    afterAll(async () => {
      await cleanup?.();
      await engine?.close();
    });

    describe("finding", () => {
      it("finds a thread by a word of its title and by a word of a post", async () => {
        expect(await ids("webhook")).toEqual(["k-webhook"]);
        expect(await ids("receipt")).toEqual(["k-payment"]);
      });

      it("returns one hit per thread, naming the post that matched", async () => {
        const res = await search("prefix");
        expect(res.hits).toHaveLength(1);
        expect(res.hits[0]).toMatchObject({ threadId: "k-debian", postId: "k-debian-p1", postNumber: 1, isAccepted: true, solved: true });
        expect(res.total).toBe(1);
      });

      it("ranks a title match above a match in a post", async () => {
        expect(await ids("installation")).toEqual(["k-debian", "k-theme"]);
      });

      it("tolerates one typo from 5 letters and two from 9", async () => {
        expect((await ids("instalation"))[0]).toBe("k-debian");
        expect(await ids("webhok")).toEqual(["k-webhook"]);
        expect(await ids("paymnet")).toEqual(["k-payment"]);
        expect(await ids("permision denide")).toEqual(["k-debian"]);
      });

      it("counts a typo on the first letter as two, as Meilisearch does (ADR 039)", async () => {
        expect(await ids("pebhook")).toEqual([]);
        expect(await ids("xnstalation")).toEqual([]);
        expect(await ids("permizzion")).toEqual(["k-debian"]);
      });

      it("does not guess at short words", async () => {
        expect(await ids("thme")).toEqual([]);
        expect(await ids("dakr ")).toEqual([]);
      });

      it("matches the last word as a prefix", async () => {
        expect((await ids("instal"))[0]).toBe("k-debian");
        expect(await ids("webh")).toEqual(["k-webhook"]);
        expect(await ids("signature rej")).toEqual(["k-webhook"]);
      });

      it("requires every word when some thread has them all, in totals and facets too (ADR 039)", async () => {
        const res = await search("installation sidebar");
        expect(threadIds(res.hits)).toEqual(["k-theme"]);
        expect(res.total).toBe(1);
        expect(res.facets.tag).toEqual([{ value: "themes", count: 1 }]);
        expect(await ids("installation sidebar", { sort: "newest" })).toEqual(["k-theme"]);
      });

      it("drops words from the end while no thread has them all, whatever the order (ADR 039)", async () => {
        expect(await ids("installation zeppelin")).toEqual(["k-debian", "k-theme"]);
        expect(await ids("installation zeppelin", { sort: "newest" })).toEqual(["k-theme", "k-debian"]);
        expect(await ids("zeppelin installation")).toEqual([]);
      });
    });

    describe("highlighting", () => {
      it("marks matched words in the title and the snippet", async () => {
        const [hit] = (await search("webhook")).hits;
        expect(hit!.titleHtml).toContain("<mark>Webhook</mark>");
        expect(hit!.snippetHtml).toContain("<mark>webhook</mark>");
      });

      it("escapes what users wrote before adding marks", async () => {
        const [hit] = (await search("template")).hits;
        expect(hit!.titleHtml).toContain("&lt;b&gt;raw&lt;/b&gt;");
        expect(hit!.snippetHtml).toContain("&lt;script&gt;");
        expect(hit!.snippetHtml).toContain("&amp;");
        expect(hit!.snippetHtml).not.toMatch(/<(?!\/?mark>)/);
        expect(hit!.titleHtml).not.toMatch(/<(?!\/?mark>)/);
      });
    });

    describe("filters, facets, sorting and pages", () => {
      it("filters by category, tag, solved, author and date", async () => {
        expect(await ids("installation", { filters: { category: "community" } })).toEqual(["k-debian", "k-theme"]);
        expect(await ids("installation", { filters: { category: "pro" } })).toEqual([]);
        expect(await ids("installation", { filters: { tags: ["linux"] } })).toEqual(["k-debian"]);
        expect(await ids("installation", { filters: { solved: true } })).toEqual(["k-debian"]);
        expect(await ids("installation", { filters: { solved: false } })).toEqual(["k-theme"]);
        expect(await ids("installation", { filters: { author: "hedy" } })).toEqual(["k-theme"]);
        expect(await ids("importer", { filters: { to: new Date("2021-01-01") } })).toEqual(["k-old"]);
        expect(await ids("importer", { filters: { from: new Date("2021-01-01") } })).toEqual([]);
      });

      it("ignores case in filter values, as Meilisearch's equality does (ADR 039)", async () => {
        expect(await ids("installation", { filters: { category: "Community" } })).toEqual(["k-debian", "k-theme"]);
        expect(await ids("installation", { filters: { tags: ["LINUX"] } })).toEqual(["k-debian"]);
        expect(await ids("installation", { filters: { author: "Hedy" } })).toEqual(["k-theme"]);
      });

      it("counts matching threads per category, tag, solved state and author", async () => {
        const { facets, total } = await search("sidebar");
        expect(total).toBe(2);
        expect(facets.category).toEqual(
          expect.arrayContaining([
            { value: "pro", count: 1 },
            { value: "community", count: 1 },
          ]),
        );
        expect(facets.tag).toEqual([{ value: "themes", count: 2 }]);
        expect(facets.solved).toEqual([{ value: "false", count: 2 }]);
        expect(facets.author).toEqual(
          expect.arrayContaining([
            { value: "hedy", count: 1 },
            { value: "tim", count: 1 },
          ]),
        );
      });

      it("browses by filters alone, newest first", async () => {
        const res = await search("", { filters: { tags: ["themes"] } });
        expect(threadIds(res.hits)).toEqual(["k-markup", "k-theme"]);
      });

      it("sorts by relevance or by date", async () => {
        expect(await ids("installation", { sort: "relevance" })).toEqual(["k-debian", "k-theme"]);
        expect(await ids("installation", { sort: "newest" })).toEqual(["k-theme", "k-debian"]);
      });

      it("pages through results", async () => {
        const first = await search("installation", { perPage: 1, page: 1 });
        const second = await search("installation", { perPage: 1, page: 2 });
        const third = await search("installation", { perPage: 1, page: 3 });
        expect([first.total, second.total]).toEqual([2, 2]);
        expect([...threadIds(first.hits), ...threadIds(second.hits)]).toEqual(["k-debian", "k-theme"]);
        expect(third.hits).toEqual([]);
      });
    });

    describe("privacy", () => {
      it("never returns private documents unless asked for them explicitly", async () => {
        expect(await ids("refund installation ticket")).toEqual([]);
        expect((await search("installation")).total).toBe(2);
        expect((await search("4242")).hits).toEqual([]);
        expect(await ids("refund installation ticket", { visibility: ["public", "maintainers"] })).toEqual(["k-secret"]);
      });

      it("keeps private documents out of typo expansion and facets", async () => {
        expect(await ids("refnd")).toEqual([]);
        const { facets, total } = await search("customers", { filters: { tags: ["payments"] } });
        expect(total).toBe(1);
        expect(facets.tag).toEqual([{ value: "payments", count: 1 }]);
      });

      it("treats filter syntax in values as plain text (no filter injection)", async () => {
        const attempts = [
          { category: 'community" OR visibility = "maintainers' },
          { category: "community' OR visibility = 'maintainers" },
          { author: 'ada" OR visibility IN ["maintainers"] OR authorUsername = "' },
          { tags: ['x\\" OR visibility = "maintainers" OR tags = "'] },
          { author: "x') OR ('1'='1" },
        ];
        for (const filters of attempts) {
          const res = await search("installation", { filters });
          expect(res.hits, JSON.stringify(filters)).toEqual([]);
        }
      });
    });

    describe("absurd queries answer sensibly", () => {
      it("answers nothing to an empty or punctuation-only query", async () => {
        for (const q of ["", "   ", "?!&|<>()':*\"-", "…—¿¡", "how to do it"]) {
          const res = await search(q);
          expect(res.hits, JSON.stringify(q)).toEqual([]);
          expect(res.total).toBe(0);
        }
      });

      it("treats SQL and filter syntax in the text as words", async () => {
        for (const q of [
          `'; drop table "SearchDocument"; --`,
          `installation" OR visibility = "maintainers`,
          "visibility = maintainers OR 1=1",
          "!installation & (webhook | ",
          "installation:* <-> 'x'",
          "_geoRadius(1, 2, 3)",
        ]) {
          const res = await search(q);
          expect(
            res.hits.every((h) => h.threadId !== "k-secret"),
            q,
          ).toBe(true);
        }
        expect(await ids("webhook")).toEqual(["k-webhook"]);
      });

      it("handles a 2,000-character query", async () => {
        const long = "installation ".repeat(160).slice(0, 2000);
        expect((await ids(long))[0]).toBe("k-debian");
        const noise = Array.from({ length: 2000 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 9000))).join("");
        await expect(search(noise)).resolves.toBeDefined();
        await expect(search("x".repeat(2000))).resolves.toMatchObject({ hits: [] });
      });

      it("refuses pages beyond the last reachable one without failing", async () => {
        await expect(search("installation", { page: 10_000 })).resolves.toMatchObject({ hits: [] });
      });
    });

    describe("similar threads", () => {
      it("finds threads close to a draft title", async () => {
        const found = await engine.similar({ title: "Debian installation permission problem" });
        expect(threadIds(found)[0]).toBe("k-debian");
        expect(found[0]).toMatchObject({
          title: "Installation fails on Debian with permission denied",
          solved: true,
          categorySlug: "community",
        });
      });

      it("ignores weak matches, private threads and the thread itself", async () => {
        expect(threadIds(await engine.similar({ title: "installation refund ticket request" }))).not.toContain("k-secret");
        expect(threadIds(await engine.similar({ title: "Webhook signature rejected", excludeThreadId: "k-webhook" }))).toEqual([]);
        expect(await engine.similar({ title: "?!" })).toEqual([]);
      });
    });

    describe("writes", () => {
      it("makes the index hold exactly the documents given for a thread", async () => {
        const before = await engine.count();
        await engine.apply([
          thread({ id: "w-edit", title: "Zephyr thread", posts: [{ body: "zephyr question" }, { body: "pulsar answer" }] }),
        ]);
        expect(await ids("zephyr")).toEqual(["w-edit"]);
        expect(await ids("pulsar")).toEqual(["w-edit"]);
        expect(await engine.count()).toBe(before + 2);

        // The answer was hidden and the question edited.
        await engine.apply([thread({ id: "w-edit", title: "Quasar thread", posts: [{ body: "quasar question" }] })]);
        expect(await ids("pulsar")).toEqual([]);
        expect(await ids("zephyr")).toEqual([]);
        expect(await ids("quasar")).toEqual(["w-edit"]);
        expect(await engine.count()).toBe(before + 1);

        // Applying the same state again changes nothing.
        await engine.apply([thread({ id: "w-edit", title: "Quasar thread", posts: [{ body: "quasar question" }] })]);
        expect(await engine.count()).toBe(before + 1);

        // The thread was deleted.
        await engine.apply([{ threadId: "w-edit", documents: [] }]);
        expect(await ids("quasar")).toEqual([]);
        expect(await engine.count()).toBe(before);
      });

      it("rebuilds into a fresh index and swaps it in", async () => {
        const builder = await engine.rebuild();
        await builder.add([thread({ id: "r-new", title: "Orbital station manual", posts: [{ body: "orbital docking" }] })]);
        // Until the swap, searches answer from the old index.
        expect(await ids("orbital")).toEqual([]);
        expect(await ids("webhook")).toEqual(["k-webhook"]);
        await builder.commit();
        expect(await ids("orbital")).toEqual(["r-new"]);
        expect(await ids("webhook")).toEqual([]);
        expect(await engine.count()).toBe(1);
        // Typo tolerance follows the new index.
        expect(await ids("orbitl")).toEqual(["r-new"]);
      });

      it("abandons a rebuild without touching the live index", async () => {
        const builder = await engine.rebuild();
        await builder.add([thread({ id: "r-gone", title: "Abandoned rebuild", posts: [{ body: "meteorite" }] })]);
        await builder.abort();
        expect(await ids("meteorite")).toEqual([]);
        expect(await ids("orbital")).toEqual(["r-new"]);
      });
    });
  });
}
