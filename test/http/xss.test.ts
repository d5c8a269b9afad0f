import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { XSS_PAYLOADS } from "../fixtures/xss-payloads";
import { Client } from "../helpers/http";
import { startServer, type TestServer } from "../helpers/server";
import { expectNoExecutableContent } from "../helpers/xss-checker";
import { DEMO_PASSWORD } from "#prisma/seed-data.server";

let server: TestServer;
let trusted: Client;
beforeAll(async () => {
  server = await startServer({ seed: true });
  trusted = new Client(server.url);
  // Seeded demo accounts are trusted (level 2): links and images are allowed, so every payload reaches the renderer.
  await trusted.post("/api/v1/session", { email: "moderator@backline.local", password: DEMO_PASSWORD });
});
afterAll(async () => {
  await server?.stop();
});

/** The post bodies inside a served thread page (they contain no <div> of their own). */
const postBodies = (page: string) => [...page.matchAll(/<div class="post-body prose">([\s\S]*?)<\/div>/g)].map((m) => m[1]!);

describe("XSS payloads through create and edit", () => {
  it.each(XSS_PAYLOADS.map((p, i) => [i, p] as const))(
    "payload %i is stored and served without executable content",
    async (_i, payload) => {
      const created = await trusted.post("/api/v1/threads", {
        category: "pro",
        title: "A question with hostile markup inside",
        body: `Question text.\n\n${payload}`,
      });
      expect(created.status).toBe(201);
      const { id, postId, url } = await created.json();
      const reply = await trusted.post(`/api/v1/threads/${id}/posts`, { body: `Reply text.\n\n${payload}` });
      expect(reply.status).toBe(201);
      expectNoExecutableContent((await reply.json()).bodyHtml);

      const edited = await trusted.request("PATCH", `/api/v1/posts/${postId}`, { json: { body: `Edited.\n\n${payload}\n\n${payload}` } });
      expect(edited.status).toBe(200);
      expectNoExecutableContent((await edited.json()).bodyHtml);

      const api = await (await trusted.get(`/api/v1/threads/${id}`)).json();
      for (const post of api.posts) expectNoExecutableContent(post.bodyHtml);

      const page = await (await trusted.get(url)).text();
      const bodies = postBodies(page);
      expect(bodies.length).toBe(2);
      for (const body of bodies) expectNoExecutableContent(body);
    },
  );
});
