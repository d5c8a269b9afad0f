import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SearchEngine } from "#search/engine";
import { generateCorpus } from "../fixtures/forum-corpus";
import type { EngineHarness } from "./contract";
import { corpusDocuments, threadIds } from "../helpers/search-documents";

// Does search find what a person means? A generated forum of a few hundred
// posts over fourteen topics, plus hand-written threads whose answer is known.

const corpus = generateCorpus({ threads: 150, seed: 7 });
const titleOf = new Map(corpus.threads.map((t) => [t.id, t.title]));
const topicOf = new Map(corpus.threads.map((t) => [t.id, t.topic]));

export function relevanceSuite(label: string, setup: () => Promise<EngineHarness>) {
  describe(`${label}: relevance on a forum of ${corpus.posts} posts`, () => {
    let engine: SearchEngine;
    let cleanup: (() => Promise<void>) | undefined;
    const top = async (q: string, n = 3) => threadIds((await engine.search({ q, perPage: 20 })).hits).slice(0, n);

    beforeAll(async () => {
      ({ engine, cleanup } = await setup());
      await engine.prepare();
      await engine.apply(corpusDocuments(corpus));
    });
    afterAll(async () => {
      await cleanup?.();
      await engine?.close();
    });

    it("has a few hundred posts across many topics", () => {
      expect(corpus.posts).toBeGreaterThan(300);
      expect(new Set(topicOf.values()).size).toBeGreaterThanOrEqual(14);
    });

    it.each([
      ["instalation", "installation", /install/i],
      ["webhok", "webhooks", /webhook/i],
      ["paymnet", "payments", /payment/i],
      ["thumbnial", "uploads", /thumbnail/i],
      ["kubernets deployment", "deploy", /kubernetes/i],
    ])("understands the misspelt %s", async (q, topic, title) => {
      const found = await top(q);
      expect(found.length).toBeGreaterThan(0);
      for (const id of found) expect(topicOf.get(id), `${q} → ${titleOf.get(id)}`).toBe(topic);
      expect(titleOf.get(found[0]!)).toMatch(title);
    });

    it.each([
      ["thumbn", /thumbnail/i],
      ["kubern", /kubernetes/i],
      ["webhook sig", /webhook/i],
    ])("completes the last word: %s", async (q, title) => {
      const [first] = await top(q, 1);
      expect(titleOf.get(first!)).toMatch(title);
    });

    it("puts the solved thread first for a question phrased differently, with its accepted answer", async () => {
      const res = await engine.search({ q: "card declined at checkout" });
      expect(res.hits[0]).toMatchObject({
        threadId: corpus.anchors.declinedCard.id,
        postId: corpus.anchors.declinedAccepted.id,
        solved: true,
        isAccepted: true,
      });
      expect(res.hits.length).toBeGreaterThan(1);
      expect(res.hits[0]!.snippetHtml).toMatch(/<mark>declined<\/mark>/i);
    });

    it("finds a specific thread from two rare words", async () => {
      expect((await top("debian eacces", 1))[0]).toBe(corpus.anchors.debian.id);
    });

    it("ranks every title match above body-only matches", async () => {
      for (const q of ["reindex", "websocket", "coupon"]) {
        const { hits } = await engine.search({ q, perPage: 50 });
        const inTitle = hits.map((h) => new RegExp(q, "i").test(h.title));
        const firstBodyOnly = inTitle.indexOf(false);
        if (firstBodyOnly >= 0) expect(inTitle.slice(firstBodyOnly), q).not.toContain(true);
        expect(inTitle[0], q).toBe(true);
      }
    });

    it("still answers when no post has every word", async () => {
      const found = await top("websocket zebra", 3);
      expect(found.length).toBeGreaterThan(0);
      for (const id of found) expect(topicOf.get(id)).toBe("proxy");
    });

    it("suggests similar threads for a draft title", async () => {
      const similar = await engine.similar({ title: "Webhook signature is rejected" });
      expect(similar.length).toBeGreaterThan(0);
      for (const s of similar.slice(0, 5)) expect(topicOf.get(s.threadId)).toBe("webhooks");
    });
  });
}
