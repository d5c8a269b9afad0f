import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { getEnv } from "~/env.server";
import { sendDeskDigests } from "~/models/desk/digest.server";
import { deskQueue, parseDeskQueueQuery } from "~/models/desk/desk.server";
import { startEscalation } from "~/models/escalation/escalation.server";
import { applyPaymentEvent } from "~/models/payments/fulfilment.server";
import { createMacro, deleteMacro, macrosForTicket, updateMacro } from "~/models/desk/macro.server";
import { acceptPublishedAnswer, consentAndPublish, publishBackView, savePublishDraft } from "~/models/tickets/publish-back.server";
import { runClockJob } from "~/models/tickets/clock.server";
import { acceptTicket, getTicket, postMessage, resolveTicket } from "~/models/tickets/ticket.server";
import { db } from "~/services/db.server";
import { simulateCheckout } from "~/services/payments/test-mode.server";
import { readMailbox } from "../helpers/mailbox";
import { makeUser, type TestUser } from "../helpers/factories";
import { useTestDatabase } from "../helpers/database";
import { gate, makeThread, supportWorld } from "../helpers/support-world";

useTestDatabase();

const H = 3_600_000;
let world: Awaited<ReturnType<typeof supportWorld>>;
beforeAll(async () => {
  world = await supportWorld();
});

async function paidTicket(tier = "standard", owner?: TestUser) {
  const member = owner ?? (await makeUser({ role: "member", trustLevel: 0 }));
  const { escalationId } = await startEscalation(member, world.thread.id, gate({ tier }));
  await applyPaymentEvent(await simulateCheckout(member.id, escalationId, "authorize"));
  const ticket = await db.ticket.findUniqueOrThrow({ where: { escalationId } });
  return { member, ticket };
}

const mailbox = () => path.join(getEnv().dataDir, "mailbox");
const fullUser = async (id: string) =>
  db.user.findUniqueOrThrow({ where: { id }, select: { id: true, role: true, username: true, trustLevel: true } });

describe("the desk queue", () => {
  it("is not there for members and moderators (404)", async () => {
    await expect(deskQueue(world.owner)).rejects.toMatchObject({ status: 404 });
    await expect(deskQueue(world.moderator)).rejects.toMatchObject({ status: 404 });
    await expect(deskQueue(null)).rejects.toMatchObject({ status: 404 });
  });

  it("lists paid open items by time left with live counts, and filters by state and tier", async () => {
    const standard = await paidTicket("standard");
    const priority = await paidTicket("priority");
    const closed = await paidTicket("priority");
    await acceptTicket(world.maintainer, closed.ticket.id);
    await resolveTicket(world.maintainer, closed.ticket.id);

    const now = new Date(Date.now() + H);
    const q = await deskQueue(world.maintainer, {}, now);
    const ids = q.items.map((i) => i.id);
    expect(ids.indexOf(priority.ticket.id)).toBeLessThan(ids.indexOf(standard.ticket.id));
    expect(ids).not.toContain(closed.ticket.id);
    expect(q.counts.awaiting_acceptance).toBe(q.items.filter((i) => i.state === "awaiting_acceptance").length);
    expect(q.items.find((i) => i.id === priority.ticket.id)!.badge).toMatchObject({ level: "ok" });

    const later = await deskQueue(
      world.maintainer,
      parseDeskQueueQuery({ tier: "priority" }),
      new Date(priority.ticket.deadlineAt.getTime() - H),
    );
    expect(later.items.map((i) => i.tier.slug)).toEqual(later.items.map(() => "priority"));
    expect(later.items.find((i) => i.id === priority.ticket.id)!.badge.level).toBe("soon");
    const open = await deskQueue(world.maintainer, parseDeskQueueQuery({ state: "open" }), now);
    expect(open.items.every((i) => i.state === "open")).toBe(true);
    expect(() => parseDeskQueueQuery({ state: "resolved" })).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe("internal notes", () => {
  it("are never part of the owner's view of the ticket", async () => {
    const { member, ticket } = await paidTicket();
    await postMessage(world.maintainer, ticket.id, { body: "Internal: probably a duplicate of the 3.1 bug", internal: true });
    const owner = await getTicket(member, ticket.id);
    expect(JSON.stringify(owner)).not.toContain("probably a duplicate");
    const desk = await getTicket(world.maintainer, ticket.id);
    expect(desk.messages.some((m) => m.internal && m.body.includes("probably a duplicate"))).toBe(true);
  });
});

describe("warnings and the daily digest", () => {
  it("warns the desk in the app and by e-mail at 75% of the clock, once", async () => {
    const { ticket } = await paidTicket("priority");
    const before = readMailbox(mailbox(), world.maintainer.email).length;
    const at75 = new Date(ticket.deadlineAt.getTime() - 3 * H);
    expect(await runClockJob({ ticketId: ticket.id, kind: "warning" }, new Date(at75.getTime() - 60_000))).toBe("noop");
    expect(await runClockJob({ ticketId: ticket.id, kind: "warning" }, at75)).toBe("warned");
    expect(await runClockJob({ ticketId: ticket.id, kind: "warning" }, at75)).toBe("noop");
    const warning = await db.notification.findFirstOrThrow({
      where: { userId: world.maintainer.id, kind: "sla_warning", url: `/tickets/${ticket.id}` },
    });
    expect(warning.lane).toBe("desk");
    expect(warning.emailedAt).not.toBeNull();
    const mails = readMailbox(mailbox(), world.maintainer.email).slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain("Response deadline");
    expect(mails[0]).toContain(`/tickets/${ticket.id}`);
    expect(mails[0]).not.toContain(gate().stepsToReproduce.split("\n")[0]!);
  });

  it("sends each maintainer one digest a day with the open items and their deadlines", async () => {
    const { ticket } = await paidTicket();
    const now = new Date("2031-05-04T07:00:00Z");
    const before = readMailbox(mailbox(), world.maintainer.email).length;
    const sent = await sendDeskDigests(now);
    expect(sent).toBeGreaterThanOrEqual(2); // the maintainer and the admin
    expect(await sendDeskDigests(new Date(now.getTime() + 60_000))).toBe(0);
    const mails = readMailbox(mailbox(), world.maintainer.email).slice(before);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatch(/open paid item/);
    expect(mails[0]).toContain(`/tickets/${ticket.id}`);
    expect(mails[0]).toContain("deadline");
    // Years later the new ticket's clock has run out: the digest counts it as overdue.
    expect(mails[0]).toMatch(/ open, \d+ due soon, [1-9]\d* overdue\./);
    expect(readMailbox(mailbox(), world.owner.email).join("\n")).not.toContain("[Backline desk]");
  });
});

describe("macros", () => {
  it("are managed by admins only and rendered for the ticket with escaped values", async () => {
    await expect(createMacro(world.maintainer, { name: "Nope", body: "x y" })).rejects.toMatchObject({ status: 403 });
    const macro = await createMacro(world.admin, {
      name: "Thanks",
      body: "Hi {{member.username}}, about {{thread.title}} ({{ticket.tier}}): {{thread.url}} — {{maintainer.username}} {{unknown.thing}}",
    });
    await expect(createMacro(world.admin, { name: "Thanks", body: "dup" })).rejects.toMatchObject({ status: 409 });
    const { ticket } = await paidTicket("priority", world.owner);
    const view = await getTicket(world.maintainer, ticket.id);
    const maintainer = { ...world.maintainer, username: world.maintainer.username };
    const [rendered] = (await macrosForTicket(maintainer, view)).filter((m) => m.id === macro.id);
    expect(rendered!.text).toBe(
      `Hi ${world.owner.username.replace(/_/g, "\\_")}, about ${world.thread.title} (Priority): <${view.snapshot.thread.url}> — ${world.maintainer.username.replace(/_/g, "\\_")} {{unknown.thing}}`,
    );
    expect(await macrosForTicket({ ...world.owner }, view)).toEqual([]);
    await updateMacro(world.admin, macro.id, { name: "Thanks!", body: "Bye" });
    await deleteMacro(world.admin, macro.id);
    await expect(deleteMacro(world.admin, macro.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe("publish back", () => {
  it("posts the maintainer's redacted answer to the thread only after the owner agrees, and the owner can accept it", async () => {
    const asker = await makeUser({ role: "member", trustLevel: 0 });
    const thread = await makeThread(world.pro.id, asker, world.other, "Retries double-charge on timeouts");
    await db.thread.update({ where: { id: thread.id }, data: { acceptedPostId: null } });
    const { escalationId } = await startEscalation(asker, thread.id, gate());
    await applyPaymentEvent(await simulateCheckout(asker.id, escalationId, "authorize"));
    const { id } = await db.ticket.findUniqueOrThrow({ where: { escalationId } });
    const maintainer = await fullUser(world.maintainer.id);
    const owner = await fullUser(asker.id);
    const answer = "Use an idempotency key per logical charge; the retry then returns the first result instead of charging again.";

    await acceptTicket(maintainer, id);
    await expect(savePublishDraft(maintainer, id, { body: answer })).rejects.toMatchObject({ status: 409 });
    await resolveTicket(maintainer, id);
    await expect(savePublishDraft(owner, id, { body: answer })).rejects.toMatchObject({ status: 403 });
    await savePublishDraft(maintainer, id, { body: `${answer} Draft one.` });
    const first = await publishBackView(owner, id);
    expect(first).toMatchObject({ canConsent: true, postUrl: null });
    await savePublishDraft(maintainer, id, { body: answer });

    // Nothing is public yet, and a consent to the older text is refused.
    expect(await db.post.count({ where: { fromTicketId: id } })).toBe(0);
    await expect(consentAndPublish(owner, id, { draftHash: first.draftHash })).rejects.toMatchObject({ status: 409 });
    await expect(consentAndPublish(maintainer, id, { draftHash: first.draftHash })).rejects.toMatchObject({ status: 403 });

    const view = await publishBackView(owner, id);
    const { postUrl } = await consentAndPublish(owner, id, { draftHash: view.draftHash });
    expect(postUrl).toMatch(new RegExp(`/t/${thread.id}/`));
    const post = await db.post.findFirstOrThrow({ where: { fromTicketId: id } });
    expect(post).toMatchObject({ authorId: maintainer.id, body: answer, threadId: thread.id });
    expect(await db.job.count({ where: { queue: "search", dedupeKey: `thread:${thread.id}` } })).toBeGreaterThan(0);
    const t = await db.thread.findUniqueOrThrow({ where: { id: thread.id } });
    expect(t.resolvedViaSupportAt).not.toBeNull();
    // A double click publishes nothing twice.
    await consentAndPublish(owner, id, { draftHash: view.draftHash });
    expect(await db.post.count({ where: { fromTicketId: id } })).toBe(1);

    expect((await publishBackView(owner, id)).canAccept).toBe(true);
    await acceptPublishedAnswer(owner, id);
    expect((await db.thread.findUniqueOrThrow({ where: { id: thread.id } })).acceptedPostId).toBe(post.id);
    expect(await publishBackView(owner, id)).toMatchObject({ accepted: true, canAccept: false });
  });
});
