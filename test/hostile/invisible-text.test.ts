import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenSchema } from "~/models/accounts/api-token.server";
import { categoryInputSchema } from "~/models/community/category.server";
import { gateSchema } from "~/models/escalation/gate";
import { dismissSchema, flagPostSchema } from "~/models/moderation/flag.server";
import { planInputSchema } from "~/models/insurance/plans.server";
import { macroInputSchema } from "~/models/desk/macro.server";
import { optionalReasonSchema, requiredReasonSchema } from "~/models/moderation/reasons";
import { editPostSchema, replySchema } from "~/models/community/post.server";
import { publishDraftSchema } from "~/models/tickets/publish-back.server";
import { createThreadSchema } from "~/models/community/thread.server";
import { rejectSchema, requestInfoSchema, resolveSchema, ticketMessageSchema } from "~/models/tickets/schemas";
import { tierInputSchema } from "~/models/escalation/tier.server";
import { NOTHING_VISIBLE } from "~/utils/text";
import { parseOrThrow } from "~/utils/validation";
import { gate } from "../helpers/support-world";
import { Client, signIn } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";

// Text made only of characters that draw nothing (Hangul fillers, the blank
// Braille pattern, zero-width spaces and joiners, word joiners, BOMs, combining
// marks with nothing to sit on, variation selectors) passes every length check
// and shows as an empty title, an empty reply or a blank reason. Every text
// people write is refused with 400 and a field message when it shows nothing.

const BLANKS: Record<string, string> = {
  "Hangul filler U+3164": "\u3164".repeat(12),
  "Hangul choseong/jungseong fillers U+115F U+1160": "\u115f\u1160".repeat(6),
  "halfwidth Hangul filler U+FFA0": "\uffa0".repeat(12),
  "Braille blank U+2800": "\u2800".repeat(12),
  "zero-width space and joiners U+200B–U+200D": "\u200b\u200c\u200d".repeat(4),
  "word joiner, BOM and Mongolian vowel separator": "\u2060\ufeff\u180e".repeat(4),
  "combining marks alone": "\u0301\u0302\u0303\u0308".repeat(3),
  "variation selectors and tag characters": "\ufe0f\ufe0e\u{e0041}\u{e0042}".repeat(3),
  "ideographic and em spaces with a filler": "\u3000\u2003\u3164\u00a0".repeat(3),
};

// Spaces, BOMs and word joiners are trimmed or cleaned away first, so some of these are
// refused as too short; the others as showing nothing. Either way: 400, with the field named.
const REFUSED = new RegExp(`${NOTHING_VISIBLE.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}|at least \\d+ characters|Give the token a name`);

let server: TestServer;
let member: Client;
let category: string;
let thread: { id: string; postId: string };

beforeAll(async () => {
  server = await startServer({ seed: true });
  member = await signIn(server, "member@backline.local");
  category = (await (await member.get("/api/v1/categories")).json())[0].slug;
  const created = await member.post("/api/v1/threads", {
    category,
    title: "A thread for blank replies",
    body: "Replies to this thread come from the tests.",
  });
  expect(created.status).toBe(201);
  thread = await created.json();
});
afterAll(async () => {
  await server?.stop();
});

describe("over HTTP", () => {
  it.each(Object.entries(BLANKS))(
    "refuses a thread title of only %s with 400 and a field message, and creates nothing",
    async (_name, blank) => {
      const before = (await (await member.get("/api/v1/threads?sort=latest")).json()).total;
      const res = await member.post("/api/v1/threads", { category, title: blank, body: "A perfectly normal body for the question." });
      expect(res.status).toBe(400);
      expect((await res.json()).error.fields.title).toMatch(REFUSED);
      const page = await member.request("POST", "/new", {
        form: { category, title: blank, body: "A perfectly normal body for the question." },
        headers: { Origin: server.url },
      });
      expect(page.status).toBe(400);
      expect(await page.text()).toMatch(REFUSED);
      expect((await (await member.get("/api/v1/threads?sort=latest")).json()).total).toBe(before);
    },
  );

  it.each(Object.entries(BLANKS))("refuses a reply, an edited title and an API token name of only %s", async (_name, blank) => {
    const reply = await member.post(`/api/v1/threads/${thread.id}/posts`, { body: blank });
    expect(reply.status).toBe(400);
    expect((await reply.json()).error.fields.body).toMatch(REFUSED);
    const edit = await member.request("PATCH", `/api/v1/posts/${thread.postId}`, {
      json: { title: blank, body: "Replies to this thread come from the tests." },
    });
    expect(edit.status).toBe(400);
    expect((await edit.json()).error.fields.title).toMatch(REFUSED);
    const token = await member.post("/api/v1/tokens", { name: blank });
    expect(token.status).toBe(400);
    expect((await token.json()).error.fields.name).toMatch(REFUSED);
  });

  it("does not let fillers pad a title, body or gate answer up to its minimum length", () => {
    const padded = (text: string, to: number) => text + "\u3164".repeat(to - text.length);
    const fieldsOf = (schema: Parameters<typeof parseOrThrow>[0], input: unknown) => {
      try {
        parseOrThrow(schema, input);
        return {};
      } catch (e) {
        return (e as { fields?: Record<string, string> }).fields ?? {};
      }
    };
    const thread = (title: string) =>
      fieldsOf(createThreadSchema, { category: "x", title, body: "A perfectly normal body for the question." });
    expect(thread(padded("ab", 12)).title).toMatch(/at least 8 characters/);
    expect(thread(padded("Backups", 12)).title).toMatch(/at least 8 characters/);
    expect(thread("Backups fail").title).toBeUndefined();
    expect(fieldsOf(replySchema, { body: padded("ok", 20) }).body).toMatch(/at least 10 characters/);
    expect(fieldsOf(gateSchema, gate({ stepsToReproduce: padded("run it", 40) })).stepsToReproduce).toMatch(/at least 30 characters/);
  });

  it("still takes titles in any script, and with emoji", async () => {
    for (const title of [
      "Ошибка при обновлении базы",
      "バックアップが動かない問題",
      "नमस्ते: बैकअप काम नहीं करता",
      "Backups fail 👍🏽 after update",
    ]) {
      const res = await member.post("/api/v1/threads", { category, title, body: "A perfectly normal body for the question." });
      expect(res.status, title).toBe(201);
      expect((await res.json()).title).toBe(title);
    }
  });
});

describe("every other text people write", () => {
  const blank = BLANKS["Hangul filler U+3164"]! + BLANKS["zero-width space and joiners U+200B–U+200D"]!;
  const cases: [string, unknown, unknown, string][] = [
    ["reply body", replySchema, { body: blank }, "body"],
    ["thread body", createThreadSchema, { category: "x", title: "A normal title here", body: blank }, "body"],
    ["edit reason", editPostSchema, { body: "A normal body of text.", reason: blank }, "reason"],
    ["ticket message", ticketMessageSchema, { body: blank }, "body"],
    ["accept/resolve message", resolveSchema, { message: blank }, "message"],
    ["request-info message", requestInfoSchema, { message: blank }, "message"],
    ["reject reason", rejectSchema, { reason: "careless", message: blank }, "message"],
    ["published-back answer", publishDraftSchema, { body: blank.repeat(2) }, "body"],
    ["escalation gate answer", gateSchema, gate({ stepsToReproduce: blank.repeat(3) }), "stepsToReproduce"],
    ["flag details", flagPostSchema, { reason: "needs-moderator", details: blank }, "details"],
    ["flag dismissal reason", dismissSchema, { reason: blank }, "reason"],
    ["moderation reason", requiredReasonSchema, { reason: blank }, "reason"],
    ["optional moderation reason", optionalReasonSchema, { reason: blank }, "reason"],
    ["category name", categoryInputSchema, { name: blank, slug: "blank-cat" }, "name"],
    ["tier name", tierInputSchema, { slug: "blank", name: blank, responseHours: 24, priceCents: 5000, currency: "usd" }, "name"],
    ["insurance plan name", planInputSchema, { name: blank, priceCents: 5000, coverageCents: 10000, currency: "usd" }, "name"],
    ["macro name", macroInputSchema, { name: blank, body: "Thanks, looking into it." }, "name"],
    ["macro body", macroInputSchema, { name: "Greeting", body: blank }, "body"],
    ["API token name", createTokenSchema, { name: blank }, "name"],
  ];

  it.each(cases)("refuses a %s that shows nothing, with a field message", (_what, schema, input, field) => {
    let error: unknown;
    try {
      parseOrThrow(schema as Parameters<typeof parseOrThrow>[0], input);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ status: 400, fields: { [field]: NOTHING_VISIBLE } });
  });
});
