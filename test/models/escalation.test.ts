import { getSearchEngine } from "#search/index.server";
import { enqueueThreads, SEARCH_QUEUE, searchJobHandler } from "#search/outbox.server";
import { runOnce } from "~/services/jobs.server";
import { beforeAll, describe, expect, it } from "vitest";
import { startEscalation, similarSolvedThreads, threadSupport } from "~/models/escalation/escalation.server";
import { createAuthSession, userForSessionWith } from "~/models/accounts/auth-session.server";
import { threadViewerState } from "~/models/community/thread-viewer.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import {
  acceptTicket,
  getTicket,
  listTickets,
  postMessage,
  rejectTicket,
  requestInfo,
  resolveTicket,
} from "~/models/tickets/ticket.server";
import { parseListTicketsQuery } from "~/models/tickets/schemas";
import { withdrawTicket } from "~/models/tickets/withdraw.server";
import type { TicketSnapshot } from "~/models/tickets/snapshot";
import { db } from "~/services/db.server";
import { simulateCheckout } from "~/services/payments/test-mode.server";
import { useTestDatabase } from "../helpers/database";
import { makeUser } from "../helpers/factories";
import { gate, makeThread, supportWorld } from "../helpers/support-world";

useTestDatabase();

let world: Awaited<ReturnType<typeof supportWorld>>;
beforeAll(async () => {
  world = await supportWorld();
});

const origin = "http://localhost:3000";

/** A member escalates the thread and authorises on the test checkout page. */
async function paidTicket(owner = world.owner, threadId = world.thread.id, tier = "standard") {
  const { escalationId } = await startEscalation(owner, threadId, gate({ tier }));
  await applyPaymentEvent(await simulateCheckout(owner.id, escalationId, "authorize"));
  const ticket = await db.ticket.findUniqueOrThrow({ where: { escalationId } });
  return { escalationId, ticketId: ticket.id };
}

describe("the gate before payment", () => {
  it("refuses an incomplete request with a message on every missing field, and starts no payment", async () => {
    const before = await db.escalation.count();
    const error = await startEscalation(world.owner, world.thread.id, {
      tier: "standard",
      productVersion: "3",
      environment: "",
      stepsToReproduce: "it breaks",
      acceptScope: false,
    }).catch((e) => e);
    expect(error).toMatchObject({ status: 400 });
    expect(Object.keys(error.fields).sort()).toEqual(["acceptScope", "alreadyTried", "environment", "productVersion", "stepsToReproduce"]);
    expect(error.fields.stepsToReproduce).toMatch(/at least 30 characters/);
    expect(await db.escalation.count()).toBe(before);
  });

  it("refuses a community-only category with 403 that names community support", async () => {
    await expect(startEscalation(world.owner, world.communityThread.id, gate())).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/community edition, which has community support only/),
    });
  });

  it("refuses an unknown tier, a hidden thread and a missing thread", async () => {
    await expect(startEscalation(world.owner, world.thread.id, gate({ tier: "platinum" }))).rejects.toMatchObject({
      status: 400,
      fields: { tier: expect.any(String) },
    });
    await expect(startEscalation(world.owner, "no-such-thread", gate())).rejects.toMatchObject({ status: 404 });
  });

  it("opens a test-mode checkout at the price of the chosen tier", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const { escalationId, checkoutUrl } = await startEscalation(member, world.thread.id, gate({ tier: "priority" }));
    expect(checkoutUrl).toBe(`${origin}/test-checkout/${escalationId}`);
    const escalation = await db.escalation.findUniqueOrThrow({ where: { id: escalationId } });
    expect(escalation).toMatchObject({ state: "checkout_open", provider: "test", amountCents: 14900, currency: "usd", acceptScope: true });
    expect(escalation.checkoutSessionId).toMatch(/^cs_test_local_/);
  });

  it("slows down a member who starts too many checkouts (429 with a retry time)", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    for (let i = 0; i < 10; i++) await startEscalation(member, world.thread.id, gate());
    await expect(startEscalation(member, world.thread.id, gate())).rejects.toMatchObject({
      status: 429,
      headers: { "Retry-After": expect.stringMatching(/^\d+$/) },
    });
  });

  it("shows similar solved threads found by search, with their answer, never the thread itself", async () => {
    // What the search worker does in the app: index every thread.
    await enqueueThreads();
    const handler = searchJobHandler(() => getSearchEngine());
    while ((await runOnce(SEARCH_QUEUE, handler)) > 0);
    const similar = await similarSolvedThreads({ id: "other", title: "Webhook signature broken" });
    expect(similar[0]).toMatchObject({
      id: world.thread.id,
      answer: expect.stringContaining("Mount the webhook route before the JSON parser"),
    });
    expect((await similarSolvedThreads({ id: world.thread.id, title: world.thread.title })).map((t) => t.id)).not.toContain(
      world.thread.id,
    );
  });
});

describe("fulfilment (test mode, the same path as the Stripe webhook)", () => {
  it("turns an authorised checkout into exactly one ticket with a snapshot of the whole thread", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const { escalationId } = await startEscalation(member, world.thread.id, gate());
    const event = await simulateCheckout(member.id, escalationId, "authorize");
    expect(await applyPaymentEvent(event)).toBe("applied");
    expect(await applyPaymentEvent(event)).toBe("duplicate");

    const tickets = await db.ticket.findMany({ where: { escalationId } });
    expect(tickets).toHaveLength(1);
    const ticket = tickets[0]!;
    expect(ticket.state).toBe("awaiting_acceptance");
    expect(ticket.deadlineAt.getTime() - ticket.paidAt.getTime()).toBe(48 * 3_600_000);
    const snapshot = ticket.snapshot as unknown as TicketSnapshot;
    expect(snapshot.thread.title).toBe(world.thread.title);
    expect(snapshot.posts.map((p) => [p.number, p.author])).toEqual([
      [0, world.owner.username],
      [1, world.other.username],
      [2, world.other.username],
    ]);
    expect(snapshot.posts[1]!.bodyHtml).toContain('href="https://docs.example.com/upgrade?a=1&amp;b=2"');
    expect(snapshot.posts[0]!.createdAt).toBe("2026-01-05T12:00:00.000Z");
    expect(snapshot.acceptedPostId).toBe(world.thread.posts[2]!.id);
    expect(snapshot.posts[2]!.accepted).toBe(true);
    expect(snapshot.links).toContain("https://docs.example.com/upgrade?a=1&b=2");
    expect(snapshot.gate).toMatchObject({
      productVersion: "3.2.1",
      scopeAccepted: true,
      stepsToReproduce: expect.stringContaining("Upgrade to 3.2.1"),
    });
    expect(snapshot.payer).toEqual({ id: member.id, username: member.username, email: member.email });
    expect(JSON.stringify(snapshot)).not.toContain("A post a moderator hid.");

    const payment = await db.payment.findFirstOrThrow({ where: { ticketId: ticket.id } });
    expect(payment).toMatchObject({ status: "authorized", amountCents: 4900, currency: "usd", provider: "test" });
    expect((await db.thread.findUniqueOrThrow({ where: { id: world.thread.id } })).escalatedAt).not.toBeNull();
    expect(await db.job.count({ where: { queue: "ticket-clock", dedupeKey: `ticket:${ticket.id}:deadline` } })).toBe(1);
  });

  it("keeps the snapshot when the public thread changes later", async () => {
    // A thread of its own: the shared world's thread is read by the other tests.
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const thread = await makeThread(world.pro.id, member, world.other, "Signature check fails behind a proxy");
    const { ticketId } = await paidTicket(member, thread.id);
    await db.post.update({ where: { id: thread.posts[0]!.id }, data: { body: "edited", bodyHtml: "<p>edited later</p>" } });
    const view = await getTicket(world.maintainer, ticketId);
    expect(view.snapshot.posts[0]!.bodyHtml).not.toContain("edited later");
  });

  it("closes a declined checkout without a ticket or a charge", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const { escalationId } = await startEscalation(member, world.thread.id, gate());
    expect(await applyPaymentEvent(await simulateCheckout(member.id, escalationId, "decline"))).toBe("applied");
    expect(await db.escalation.findUniqueOrThrow({ where: { id: escalationId } })).toMatchObject({ state: "declined" });
    expect(await db.ticket.count({ where: { escalationId } })).toBe(0);
    await expect(simulateCheckout(member.id, escalationId, "authorize")).rejects.toMatchObject({ status: 409 });
  });

  it("lets only the escalation's owner use its test checkout", async () => {
    const { escalationId } = await startEscalation(world.owner, world.thread.id, gate());
    await expect(simulateCheckout(world.other.id, escalationId, "authorize")).rejects.toMatchObject({ status: 404 });
  });

  it("notifies the owner and the maintainers, nobody else", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const { ticketId } = await paidTicket(member);
    const rows = await db.notification.findMany({ where: { url: `/tickets/${ticketId}` }, select: { userId: true, lane: true } });
    expect(rows).toEqual(
      expect.arrayContaining([
        { userId: member.id, lane: "community" },
        { userId: world.maintainer.id, lane: "desk" },
        { userId: world.admin.id, lane: "desk" },
      ]),
    );
    const recipients = new Set(rows.map((r) => r.userId));
    expect(recipients.has(world.other.id) || recipients.has(world.moderator.id) || recipients.has(world.owner.id)).toBe(false);
  });

  it("refuses a second escalation while the member has an open ticket on the thread", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    await paidTicket(member);
    await expect(startEscalation(member, world.thread.id, gate())).rejects.toMatchObject({ status: 409 });
    expect((await threadSupport(world.thread.id, member)).ownTicketUrl).toMatch(/^\/tickets\//);
    // The member's state on the shared thread page looks the ticket up in its own statement: the same link, theirs only.
    const stateOf = async (user: { id: string }) => {
      const session = await createAuthSession(user.id);
      return threadViewerState(world.thread.id, 1, null, (also) => userForSessionWith(session.id, also));
    };
    const own = await stateOf(member);
    expect(own!.support.ownTicketUrl).toBe((await threadSupport(world.thread.id, member)).ownTicketUrl);
    const stranger = await makeUser({ role: "member", trustLevel: 0 });
    expect((await stateOf(stranger))!.support.ownTicketUrl).toBeNull();
  });

  it("starts the clock when the test card was authorised, not when the event was processed (issue 14, defect 3)", async () => {
    const owner = await makeUser({ role: "member", trustLevel: 0 });
    const { escalationId } = await startEscalation(owner, world.thread.id, gate({ tier: "priority" }));
    const event = await simulateCheckout(owner.id, escalationId, "authorize");
    const authorisedAt = (await db.testPaymentIntent.findFirstOrThrow({ where: { escalationId } })).createdAt;
    // Processed three hours after the member pressed "Authorize" (a worker that was down, a slow queue).
    const processedAt = new Date(authorisedAt.getTime() + 3 * 3_600_000);
    await applyPaymentEvent(event, processedAt);
    const ticket = await db.ticket.findUniqueOrThrow({ where: { escalationId } });
    expect(ticket.paidAt).toEqual(authorisedAt);
    expect(ticket.deadlineAt).toEqual(new Date(authorisedAt.getTime() + 12 * 3_600_000));
  });
});

describe("the ticket conversation and decisions", () => {
  it("runs accept → ask → member answers → reply → resolve, and the public stub follows", async () => {
    // Resolving marks the thread resolved via support: a thread of its own, not the shared world's.
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const thread = await makeThread(world.pro.id, member, world.other, "Uploads fail after the proxy upgrade");
    const { ticketId } = await paidTicket(member, thread.id);
    await postMessage(member, ticketId, { body: "One more detail: it started right after the upgrade." });
    await postMessage(world.maintainer, ticketId, { body: "Suspect the proxy rewrites bodies.", internal: true });
    await expect(postMessage(world.maintainer, ticketId, { body: "Hello there" })).rejects.toMatchObject({ status: 409 });

    const accepted = await acceptTicket(world.maintainer, ticketId, { message: "On it." });
    expect(accepted.state).toBe("open");
    expect(accepted.payment).toMatchObject({ status: "captured" });

    const asked = await requestInfo(world.maintainer, ticketId, { message: "Which proxy do you run in front of the app?" });
    expect(asked).toMatchObject({ state: "waiting_on_customer", clock: { paused: true } });
    const answered = await postMessage(member, ticketId, { body: "nginx 1.24 with default settings." });
    expect(answered).toMatchObject({ state: "open", clock: { paused: false } });
    await postMessage(world.maintainer, ticketId, { body: "Set `proxy_request_buffering off;` and it works." });
    const resolved = await resolveTicket(world.maintainer, ticketId, {});
    expect(resolved.state).toBe("resolved");
    await expect(postMessage(member, ticketId, { body: "thanks!" })).rejects.toMatchObject({ status: 409 });

    const ownerView = await getTicket(member, ticketId);
    expect(ownerView.messages.map((m) => m.body)).toEqual([
      "One more detail: it started right after the upgrade.",
      "On it.",
      "Which proxy do you run in front of the app?",
      "nginx 1.24 with default settings.",
      "Set `proxy_request_buffering off;` and it works.",
    ]);
    expect(ownerView.payment).not.toHaveProperty("lastError");
    const deskView = await getTicket(world.maintainer, ticketId);
    expect(deskView.messages.filter((m) => m.internal).map((m) => m.body)).toEqual(["Suspect the proxy rewrites bodies."]);
    expect((await db.thread.findUniqueOrThrow({ where: { id: thread.id } })).resolvedViaSupportAt).not.toBeNull();
  });

  it("rejects with a reason and a message, releasing the authorisation", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const { ticketId } = await paidTicket(member);
    await expect(rejectTicket(world.maintainer, ticketId, { reason: "rude", message: "short" })).rejects.toMatchObject({
      status: 400,
      fields: { reason: expect.any(String), message: expect.any(String) },
    });
    const rejected = await rejectTicket(world.maintainer, ticketId, {
      reason: "out_of_scope",
      message: "This is about your reverse proxy, not Backline.",
    });
    expect(rejected).toMatchObject({ state: "rejected", rejectReason: "out_of_scope", payment: { status: "canceled" } });
    const intent = await db.testPaymentIntent.findFirstOrThrow({
      where: { escalationId: (await db.ticket.findUniqueOrThrow({ where: { id: ticketId } })).escalationId },
    });
    expect(intent.status).toBe("canceled");
  });

  it("answers illegal transitions with 409 and other people's attempts with 404 or 403", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    const { ticketId } = await paidTicket(member);
    await expect(resolveTicket(world.maintainer, ticketId)).rejects.toMatchObject({ status: 409 });
    await expect(withdrawTicket(world.maintainer, ticketId)).rejects.toMatchObject({ status: 403 });
    await expect(withdrawTicket(world.other, ticketId)).rejects.toMatchObject({ status: 404 });
    await expect(acceptTicket(member, ticketId)).rejects.toMatchObject({ status: 403 });
    await expect(acceptTicket(world.moderator, ticketId)).rejects.toMatchObject({ status: 404 });
    await expect(getTicket(world.other, ticketId)).rejects.toMatchObject({ status: 404 });
    await expect(postMessage(member, ticketId, { body: "sneaky note", internal: true })).rejects.toMatchObject({ status: 403 });
    await acceptTicket(world.maintainer, ticketId);
    await expect(acceptTicket(world.admin, ticketId)).rejects.toMatchObject({ status: 409 });
    await expect(
      rejectTicket(world.maintainer, ticketId, { reason: "duplicate", message: "Duplicate of another ticket." }),
    ).rejects.toMatchObject({ status: 409 });
    await expect(withdrawTicket(member, ticketId)).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/cannot be withdrawn/),
    });
  });

  it("lists own tickets for members and every ticket for the desk, most urgent first", async () => {
    const member = await makeUser({ role: "member", trustLevel: 0 });
    await paidTicket(member, world.thread.id, "standard");
    const second = await db.thread.create({
      data: {
        slug: "another",
        title: "Another problem",
        categoryId: world.pro.id,
        authorId: member.id,
        posts: { create: { number: 0, authorId: member.id, body: "b", bodyHtml: "<p>b</p>" } },
      },
    });
    await paidTicket(member, second.id, "priority");
    const own = await listTickets(member);
    expect(own).toHaveLength(2);
    expect(await listTickets(world.other)).toEqual([]);
    const desk = await listTickets(world.maintainer, parseListTicketsQuery({ state: "awaiting_acceptance" }));
    expect(desk.length).toBeGreaterThanOrEqual(2);
    const lefts = desk.map((t) => t.clock.timeLeftMs!);
    expect([...lefts].sort((a, b) => a - b)).toEqual(lefts);
    expect(desk[0]!.tier.slug).toBe("priority");
    expect(() => parseListTicketsQuery({ state: "bogus" })).toThrow(expect.objectContaining({ status: 400 }));
  });
});
