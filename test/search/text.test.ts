import { describe, expect, it } from "vitest";
import { htmlToText } from "#search/documents.server";
import { escapeHtml, markAll, markedToHtml, markExcerpt, MARK_END, MARK_START } from "#search/highlight";
import { Progress, formatDuration } from "#search/progress";
import { allowedTypos, normalizeQuery, queryWords, typoDistance } from "#search/query";
import { tokenize, tsvectorLiteral } from "#search/tokenize";

// The small pieces search is made of: words, typos, highlights, post text and the progress bar.

describe("words", () => {
  it("cuts text into lowercased words without accents, like the index does", () => {
    expect(tokenize("Café au lait, NAÏVE résumé: v3.2 foo-bar it's").map((t) => t.word)).toEqual([
      "cafe",
      "au",
      "lait",
      "naive",
      "resume",
      "v3",
      "2",
      "foo",
      "bar",
      "it",
      "s",
    ]);
    expect(tokenize("x".repeat(65) + " ok").map((t) => t.word)).toEqual(["ok"]);
  });

  it("builds a weighted tsvector literal with positions", () => {
    expect(
      tsvectorLiteral([
        ["Webhook fails", "A"],
        ["webhook it's", "C"],
      ]),
    ).toBe("'webhook':1A,13C 'fails':2A 'it':14C 's':15C");
  });

  it("reads a query as at most ten meaningful words, the last one a prefix while being typed", () => {
    expect(queryWords("How do I install the webhook")).toEqual([
      { word: "install", prefix: false },
      { word: "webhook", prefix: true },
    ]);
    expect(queryWords("webhook ")).toEqual([{ word: "webhook", prefix: false }]);
    expect(queryWords("how to")).toEqual([]);
    expect(queryWords(Array.from({ length: 30 }, (_, i) => `word${i}x`).join(" "))).toHaveLength(10);
    expect(queryWords("?!&|<>")).toEqual([]);
  });

  it("normalizes absurd queries into something safe to work with", () => {
    expect(normalizeQuery(" a\u0000b\nc\uE000 ")).toBe("a b c");
    expect(normalizeQuery(undefined)).toBe("");
    expect(normalizeQuery("word ".repeat(400)).length).toBeLessThanOrEqual(500);
  });
});

describe("typos", () => {
  it("allows one typo from 5 letters and two from 9, none in numbers", () => {
    expect(["cach", "cache", "webhooks", "installat", "v3x2x"].map(allowedTypos)).toEqual([0, 1, 1, 2, 0]);
  });

  it("counts insertions, deletions, substitutions and swaps as one typo each", () => {
    expect(typoDistance("paymnet", "payment", 2)).toBe(1);
    expect(typoDistance("webhok", "webhook", 2)).toBe(1);
    expect(typoDistance("instalation", "installation", 2)).toBe(1);
    expect(typoDistance("instalatoin", "installation", 2)).toBe(2);
    expect(typoDistance("abcdef", "uvwxyz", 2)).toBe(3);
  });
});

describe("highlighting", () => {
  const matcher = { words: new Set(["webhook"]), prefixes: ["sig"] };

  it("escapes everything a user wrote, then adds marks", () => {
    expect(markedToHtml(`<img src=x onerror=alert(1)> ${MARK_START}webhook${MARK_END} & "x"`)).toBe(
      "&lt;img src=x onerror=alert(1)&gt; <mark>webhook</mark> &amp; &quot;x&quot;",
    );
    expect(markedToHtml(`${MARK_START}unclosed`)).toBe("<mark>unclosed</mark>");
    expect(markedToHtml(`stray${MARK_END}`)).toBe("stray");
    expect(escapeHtml(`'`)).toBe("&#39;");
  });

  it("marks whole words and prefixes in titles", () => {
    expect(markedToHtml(markAll("Webhook <b>signature</b> fails", matcher))).toBe(
      "<mark>Webhook</mark> &lt;b&gt;<mark>signature</mark>&lt;/b&gt; fails",
    );
  });

  it("cuts an excerpt around the matches", () => {
    const text = `${"filler ".repeat(40)}the webhook signature is wrong ${"more ".repeat(40)}`;
    const excerpt = markedToHtml(markExcerpt(text, matcher, 12));
    expect(excerpt.startsWith("… ")).toBe(true);
    expect(excerpt.endsWith(" …")).toBe(true);
    expect(excerpt).toContain("<mark>webhook</mark> <mark>signature</mark>");
    expect(markedToHtml(markExcerpt("no match here", matcher))).toBe("no match here");
  });
});

describe("post text", () => {
  it("turns sanitized post HTML into plain text", () => {
    expect(htmlToText("<p>Use <code>&lt;script&gt;</code> &amp; more</p><ul><li>one</li><li>two</li></ul><p>x&#39;s &#x263A;</p>")).toBe(
      "Use <script> & more\none\ntwo\nx's ☺",
    );
    expect(htmlToText("<p>a\u0000b\uE000c</p>")).toBe("a bc");
  });
});

describe("the reindex progress bar", () => {
  const capture = (tty: boolean) => {
    let out = "";
    let now = 0;
    const progress = new Progress({
      label: "reindex",
      total: 1000,
      unit: "posts",
      tty,
      stream: { write: (s: string) => (out += s), columns: 120 },
      now: () => now,
    });
    return { progress, out: () => out, at: (ms: number) => (now = ms) };
  };

  it("redraws one line with items per second and ETA on a terminal", () => {
    const { progress, out, at } = capture(true);
    at(1000);
    progress.update(250);
    expect(out()).toMatch(/^\rreindex \[█+░+\] {2}25% 250\/1,000 posts · 250 posts\/s · ETA 3s\u001b\[K$/);
    at(4000);
    progress.update(1000);
    progress.finish();
    expect(out().endsWith("\n")).toBe(true);
    expect(out()).toContain("in 4s");
  });

  it("writes plain lines when the output is not a terminal", () => {
    const { progress, out, at } = capture(false);
    for (let i = 1; i <= 10; i++) {
      at(i * 100);
      progress.update(i * 100);
    }
    progress.finish();
    const lines = out().trim().split("\n");
    expect(lines.every((l) => l.startsWith("reindex: ") && !l.includes("\r"))).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(11);
    expect(lines.at(-1)).toMatch(/100% 1,000\/1,000 posts, 1,000 posts\/s, in 1s/);
  });

  it("formats durations", () => {
    expect([5, 75, 3700, Number.NaN].map(formatDuration)).toEqual(["5s", "1m15s", "1h01m", "--"]);
  });
});
