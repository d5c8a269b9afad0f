import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiToken } from "~/models/accounts/api-token.server";
import { createCategory } from "~/models/community/category.server";
import { createReply, editPost } from "~/models/community/post.server";
import { createThread } from "~/models/community/thread.server";
import { db } from "~/services/db.server";
import { Client, TEST_PASSWORD } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { useTestDatabase } from "../helpers/database";
import { makeCategory, makeUser } from "../helpers/factories";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";

// Text that is too long, invisible, reordering or unstorable, in titles,
// bodies, names and search: refused with the limit in the message, or cleaned,
// and what the person typed is never lost on the way. Over HTTP against the
// built app (API and browser forms) and at the model for what has no route.

useTestDatabase();

const DEMO = { email: "member@backline.local", password: DEMO_PASSWORD };
let server: TestServer;
let member: Client;
let category: string;
let thread: { id: string; slug: string };

beforeAll(async () => {
  server = await startServer({ seed: true, env: { SEARCH_RATE_PER_MINUTE: "5" } });
  member = new Client(server.url);
  expect((await member.post("/api/v1/session", DEMO)).status).toBe(200);
  category = (await (await member.get("/api/v1/categories")).json())[0].slug;
  const created = await member.post("/api/v1/threads", {
    category,
    title: "A thread to reply to",
    body: "Replies to this thread come from the tests.",
  });
  thread = await created.json();
});
afterAll(async () => {
  await server?.stop();
});

const form = (client: Client, path: string, fields: Record<string, string>) =>
  client.request("POST", path, { form: fields, headers: { Origin: server.url } });

/** The text inside the page's <textarea name="…">, unescaped. */
function textareaValue(html: string, name: string) {
  const m = html.match(new RegExp(`<textarea[^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`));
  return m?.[1]
    ?.replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&amp;/g, "&");
}

describe("long text", () => {
  const longTitle = "T".repeat(10_000);
  const megabyte = "word ".repeat(200_000); // 1,000,000 characters of Markdown

  it("refuses a 10,000-character title over the API with 400 and the limit, and stores nothing", async () => {
    const res = await member.post("/api/v1/threads", { category, title: longTitle, body: "A normal body for the question." });
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields.title).toBe("At most 150 characters.");
    const edit = await member.request("PATCH", `/api/v1/posts/${(thread as unknown as { postId: string }).postId}`, {
      json: { title: longTitle, body: "A normal body for the question." },
    });
    expect(edit.status).toBe(400);
    expect((await edit.json()).error.fields.title).toBe("At most 150 characters.");
    expect((await (await member.get(`/api/v1/threads/${thread.id}`)).json()).title).toBe("A thread to reply to");
  });

  it("refuses 1 MB of Markdown with 400 and the limit, as a question, a reply and an edit", async () => {
    const ask = await member.post("/api/v1/threads", { category, title: "A question with a huge body", body: megabyte });
    expect(ask.status).toBe(400);
    expect((await ask.json()).error.fields.body).toBe("At most 50,000 characters.");
    const reply = await member.post(`/api/v1/threads/${thread.id}/posts`, { body: megabyte });
    expect(reply.status).toBe(400);
    expect((await reply.json()).error.fields.body).toBe("At most 50,000 characters.");
  });

  it("gives the question form its field errors and every word typed back, even without JavaScript", async () => {
    const body = `${megabyte}<script>alert("kept as text")</script>`;
    const res = await form(member, "/new", { category, title: longTitle, body, tags: "export, webhooks" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("At most 150 characters.");
    expect(html).toContain("At most 50,000 characters.");
    expect(textareaValue(html, "body")).toBe(body);
    expect(html).toContain(`value="${longTitle}"`);
    expect(html).toContain('value="export, webhooks"');
    expect(html).not.toContain('<script>alert("kept as text")');
  });

  it("gives the reply form its field error and the reply back", async () => {
    const res = await form(member, `/t/${thread.id}/${thread.slug}`, { intent: "reply", body: megabyte });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("At most 50,000 characters.");
    expect(textareaValue(html, "body")).toBe(megabyte);
  });

  it("gives the edit form the rejected edit back, not the old text", async () => {
    const created = await (
      await member.post("/api/v1/threads", { category, title: "A question to edit later", body: "The first version of it." })
    ).json();
    const res = await form(member, `/posts/${created.postId}/edit`, {
      title: "short",
      body: "My better second version of the question, kept.",
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Write a title of at least 8 characters.");
    expect(textareaValue(html, "body")).toBe("My better second version of the question, kept.");
    expect(html).toContain('value="short"');
  });
});

describe("invisible and reordering characters in titles", () => {
  const cases: [string, string, string][] = [
    ["right-to-left override", "Invoice \u202egnp.exe\u202c attached question", "Invoice gnp.exe attached question"],
    ["isolates and marks", "\u2066Password\u2069 reset \u200fnever\u200e arrives", "Password reset never arrives"],
    ["zero-width space", "Pay\u200bPal pay\u200bment fails", "PayPal payment fails"],
    ["byte order mark and word joiner", "\ufeffExport\u2060 hangs at 99 percent", "Export hangs at 99 percent"],
    ["line breaks and tabs", "Title over\r\ntwo\tlines here", "Title over two lines here"],
    ["decomposed accents (NFC)", "Cafe\u0301 menu crashes on save", "Café menu crashes on save"],
    ["emoji sequences survive", "Deploy fails for 👩\u200d💻 team", "Deploy fails for 👩\u200d💻 team"],
    ["Persian ZWNJ survives", "خطای می\u200cخواهم in the export", "خطای می\u200cخواهم in the export"],
  ];

  it(`stores ${cases.length} titles as they are seen: controls gone, joiners kept`, async () => {
    for (const [what, title, stored] of cases) {
      const res = await member.post("/api/v1/threads", { category, title, body: "The body of this question." });
      expect(res.status, what).toBe(201);
      const { id } = await res.json();
      expect((await (await member.get(`/api/v1/threads/${id}`)).json()).title, what).toBe(stored);
    }
  });

  it("refuses a title that is only invisible characters with the length message", async () => {
    const res = await member.post("/api/v1/threads", {
      category,
      title: "\u202e\u202d\u200b\u2066\u2069\u200f\u200e\ufeff\u202e\u202d",
      body: "The body of this question.",
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields.title).toBe("Write a title of at least 8 characters.");
  });
});

describe("usernames over the API and the join form", () => {
  it("refuses lookalikes of an existing member and folds fullwidth copies into a clash", async () => {
    const anon = new Client(server.url);
    expect((await anon.post("/api/v1/users", { username: "victim", email: "victim@example.com", password: TEST_PASSWORD })).status).toBe(
      201,
    );

    const cyrillic = await anon.post("/api/v1/users", { username: "v\u0456ctim", email: "v2@example.com", password: TEST_PASSWORD });
    expect(cyrillic.status).toBe(400);
    expect((await cyrillic.json()).error.fields.username).toBe("Use letters, digits and underscores only.");

    const wide = await form(anon, "/join", {
      username: "\uff36\uff29\uff23\uff34\uff29\uff2d",
      email: "v3@example.com",
      password: TEST_PASSWORD,
      redirectTo: "/",
    });
    expect(wide.status).toBe(409);
    expect(await wide.text()).toContain("This username is taken; choose another.");

    const rlo = await form(anon, "/join", { username: "\u202evictim", email: "v4@example.com", password: TEST_PASSWORD, redirectTo: "/" });
    expect(rlo.status).toBe(400);
    expect(await rlo.text()).toContain("Use letters, digits and underscores only.");
    expect(anon.hasCookie("__session")).toBe(false);
  });
});

describe("null characters that reach a model without HTTP", () => {
  it("are stripped from titles, bodies and names, never stored and never an error", async () => {
    const [author, admin] = await Promise.all([makeUser(), makeUser({ role: "admin" })]);
    const cat = await makeCategory();
    const t = await createThread(author, { category: cat.slug, title: "Null\u0000 in a title", body: "Null\u0000 in a body, too." });
    const r = await createReply(author, t.id, { body: "A reply\u0000 with a null." });
    await editPost(author, t.postId, { title: "Edited\u0000 title here", body: "Edited\u0000 body here." });
    const named = await createCategory(admin, { slug: "nulls", name: "Null\u0000 category" });
    await createApiToken(author.id, { name: "bot\u0000 token" });
    const texts = [
      ...(await db.thread.findMany({ where: { id: t.id }, select: { title: true } })).map((x) => x.title),
      ...(await db.post.findMany({ where: { threadId: t.id }, orderBy: { number: "asc" }, select: { body: true } })).map((x) => x.body),
      (await db.category.findUniqueOrThrow({ where: { id: named.id } })).name,
      ...(await db.apiToken.findMany({ where: { userId: author.id }, select: { name: true } })).map((x) => x.name),
    ];
    expect(texts).toEqual(["Edited title here", "Edited body here.", "A reply with a null.", "Null category", "bot token"]);
    expect(r.id).toBeTruthy();
  });
});

describe("search rate limit", () => {
  it("answers 429 with Retry-After once a client passes its searches per minute, page, API and similar threads together", async () => {
    const client = new Client(server.url);
    for (let i = 0; i < 2; i++) expect((await client.get(`/api/v1/search?q=export+${i}`)).status).toBe(200);
    expect((await client.get(`/api/v1/similar?title=Export+fails+with+a+timeout`)).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await client.get(`/search?q=export+${i}`)).status).toBe(200);
    const similar = await client.get(`/api/v1/similar?title=Export+fails+again`);
    expect(similar.status).toBe(429);
    expect((await similar.json()).error.code).toBe("rate_limited");
    const api = await client.get("/api/v1/search?q=export");
    expect(api.status).toBe(429);
    expect(Number(api.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await api.json()).error).toMatchObject({
      code: "rate_limited",
      message: expect.stringMatching(/Too many searches from this address\. Try again in/),
    });
    const page = await client.get("/search?q=export");
    expect(page.status).toBe(429);
    expect(await page.text()).toContain("Too many searches from this address");
    // Everything else still answers.
    expect((await client.get("/api/v1/threads")).status).toBe(200);
  });
});
