import { beforeAll, describe, expect, it } from "vitest";
import type { Prisma } from "~/generated/prisma/client";
import { RERENDER_QUEUE, rerenderAll, scheduleRerender } from "~/models/community/rerender.server";
import type { TicketSnapshot } from "~/models/tickets/snapshot";
import { db } from "~/services/db.server";
import { Client } from "../helpers/http";
import { startServer } from "../helpers/server";
import { supportWorld } from "../helpers/support-world";
import { useTestDatabase } from "../helpers/database";
import { until } from "../helpers/wait";

// Posts written before the sanitizer fix were stored without everything after a
// disallowed tag; their Markdown was kept. Starting the fixed app renders every
// stored post, ticket message and ticket snapshot again, once, and re-indexes
// the repaired threads for search (issue 13 §4, docs/decisions/027).

const database = useTestDatabase();

const BODY = "I use a <textarea> for the key field… Full log: zebraquux-7741 and more.";
// Exactly what the old renderer stored for BODY.
const LOSSY = "<p>I use a </p>\n";
const FULL_TEXT = "I use a &lt;textarea&gt; for the key field… Full log: zebraquux-7741 and more.";

let world: Awaited<ReturnType<typeof supportWorld>>;
let post: { id: string };
let ticket: { id: string };
let message: { id: string };

beforeAll(async () => {
  world = await supportWorld();
  post = await db.post.create({
    data: { threadId: world.thread.id, number: 4, authorId: world.other.id, body: BODY, bodyHtml: LOSSY },
  });
  const escalation = await db.escalation.create({
    data: {
      threadId: world.thread.id,
      userId: world.owner.id,
      tierId: world.tiers.standard!.id,
      productVersion: "3.2",
      environment: "Debian",
      stepsToReproduce: "Send a webhook",
      alreadyTried: "Reinstalling",
      acceptScope: true,
      amountCents: 4900,
      currency: "usd",
      provider: "test",
    },
  });
  const snapshot = {
    version: 1,
    posts: [
      {
        id: post.id,
        number: 4,
        author: world.other.username,
        createdAt: new Date().toISOString(),
        editedAt: null,
        body: BODY,
        bodyHtml: LOSSY,
        accepted: false,
      },
    ],
  } as Partial<TicketSnapshot>;
  ticket = await db.ticket.create({
    data: {
      escalationId: escalation.id,
      threadId: world.thread.id,
      ownerId: world.owner.id,
      tierId: world.tiers.standard!.id,
      soldTierName: "Standard",
      soldResponseHours: 24,
      soldPriceCents: 4900,
      soldCurrency: "usd",
      snapshot: snapshot as unknown as Prisma.InputJsonValue,
      paidAt: new Date(),
      deadlineAt: new Date(Date.now() + 86_400_000),
    },
  });
  message = await db.ticketMessage.create({ data: { ticketId: ticket.id, authorId: world.owner.id, body: BODY, bodyHtml: LOSSY } });
});

describe("re-rendering what the old sanitizer stored", () => {
  it("repairs posts, ticket messages and snapshots when the fixed app starts, and search finds the words again", async () => {
    const server = await startServer({ databaseUrl: database.url });
    try {
      const visitor = new Client(server.url);
      const page = `/t/${world.thread.id}/${world.thread.slug}`;
      // The re-render runs in the background after start: wait until the page shows it.
      await until(
        "the stored post to be rendered again",
        async () => (await (await visitor.get(page)).text()).includes(FULL_TEXT),
        60_000,
        200,
      );
      await until(
        "the repaired post to be re-indexed",
        async () => (await (await visitor.get("/api/v1/search?q=zebraquux")).json()).total,
        60_000,
        200,
      );
      const found = await (await visitor.get("/api/v1/search?q=zebraquux")).json();
      expect(found.hits[0].threadId).toBe(world.thread.id);

      await until(
        "the re-render to finish",
        async () => (await db.setting.findUnique({ where: { key: "markdown.rendererVersion" } }))?.value === 2,
        60_000,
        200,
      );
      const repaired = await db.ticket.findUniqueOrThrow({ where: { id: ticket.id } });
      expect((repaired.snapshot as unknown as TicketSnapshot).posts[0]!.bodyHtml).toContain(FULL_TEXT);
      expect((repaired.snapshot as unknown as TicketSnapshot).posts[0]!.body).toBe(BODY);
      expect((await db.ticketMessage.findUniqueOrThrow({ where: { id: message.id } })).bodyHtml).toContain(FULL_TEXT);
    } finally {
      await server.stop();
    }
  }, 90_000);

  it("runs once per renderer version, and leaves HTML that is already current untouched", async () => {
    await scheduleRerender();
    expect(await db.job.count({ where: { queue: RERENDER_QUEUE, state: { in: ["pending", "running"] } } })).toBe(0);

    const before = await db.post.findMany({ orderBy: { id: "asc" }, select: { id: true, bodyHtml: true, updatedAt: true } });
    await rerenderAll();
    expect(await db.post.findMany({ orderBy: { id: "asc" }, select: { id: true, bodyHtml: true, updatedAt: true } })).toEqual(before);
  });
});
