import { createHash } from "node:crypto";
import { hasVisibleText, NOTHING_VISIBLE } from "~/utils/text";
import { z } from "zod";
import { db } from "~/services/db.server";
import { conflict, forbidden, notFound } from "~/utils/errors";
import { postUrl } from "~/utils/urls";
import { parseOrThrow } from "~/utils/validation";
import { enqueueSearchSync } from "#search/outbox.server";
import { renderForAuthor } from "~/models/community/content-policy.server";
import { notify } from "~/models/notifications/notification.server";
import { can, requirePermission } from "~/models/permissions";
import { acceptAnswer } from "~/models/community/post.server";
import type { Author } from "~/models/types";

// Publish back (docs/product.md §4.10): after resolving, a maintainer drafts a redacted
// public answer on the ticket; it becomes a post in the original thread only
// when the ticket's owner consents to exactly that text. The post is the
// maintainer's, marked as coming from paid support (Post.fromTicketId), and
// the owner may then accept it as the answer like any other reply.

export const publishDraftSchema = z
  .object({
    body: z
      .string({ error: "Write the public answer." })
      .trim()
      .min(20, "Write the public answer (at least 20 characters).")
      .max(20_000)
      .refine(hasVisibleText, NOTHING_VISIBLE),
  })
  .meta({ id: "PublishDraft" });

export const consentSchema = z
  .object({ draftHash: z.string().min(8, "Reload the ticket and read the draft again.") })
  .meta({ id: "PublishConsent" });

/** Identifies the exact text the owner read: a consent to an older draft is refused. */
export const draftHash = (body: string) => createHash("sha256").update(body).digest("hex").slice(0, 32);

async function ticketFor(actor: Author, ticketId: string) {
  const t = await db.ticket.findUnique({
    where: { id: ticketId },
    select: {
      id: true,
      ownerId: true,
      state: true,
      threadId: true,
      publishDraft: true,
      publishDraftById: true,
      publishConsentAt: true,
      publishDeclinedAt: true,
      publishedPostId: true,
      thread: {
        select: {
          id: true,
          slug: true,
          title: true,
          authorId: true,
          acceptedPostId: true,
          locked: true,
          hidden: true,
          deletedAt: true,
          categoryId: true,
        },
      },
    },
  });
  if (!t || !can(actor, "ticket:read", t.ownerId)) throw notFound("No such ticket.");
  return t;
}

/** What the ticket page shows about publishing back, for this viewer. */
export async function publishBackView(actor: Author, ticketId: string) {
  const t = await ticketFor(actor, ticketId);
  const post = t.publishedPostId
    ? await db.post.findUnique({ where: { id: t.publishedPostId }, select: { id: true, number: true, hidden: true, deletedAt: true } })
    : null;
  const isOwner = t.ownerId === actor.id;
  const resolved = t.state === "resolved";
  const published = Boolean(post);
  const declined = Boolean(t.publishDeclinedAt) && !published;
  return {
    available: resolved,
    // The Markdown source is for the maintainer's editor; the member reads it rendered.
    draft: can(actor, "ticket:decide") ? t.publishDraft : null,
    // Rendered exactly as the post would be (same renderer, same rules for the drafter), so the member reads what the thread would show.
    draftHtml: t.publishDraft && t.publishDraftById ? await renderAsDrafter(t.publishDraftById, t.publishDraft) : null,
    declinedAt: declined ? t.publishDeclinedAt : null,
    draftHash: t.publishDraft ? draftHash(t.publishDraft) : null,
    consentAt: t.publishConsentAt,
    postUrl: post && !post.hidden && !post.deletedAt ? postUrl(t.thread, post.number) : null,
    accepted: Boolean(post && t.thread.acceptedPostId === post.id),
    canDraft: resolved && !published && can(actor, "ticket:decide"),
    canConsent: resolved && !published && !declined && isOwner && Boolean(t.publishDraft),
    canAccept: published && isOwner && t.thread.acceptedPostId !== post?.id && can(actor, "answer:accept", t.thread.authorId),
  };
}

/** The maintainer writes or rewrites the draft; any earlier consent was to another text, so nothing is published yet. */
export async function savePublishDraft(actor: Author, ticketId: string, input: unknown) {
  // 404 for anyone who cannot see the ticket, as for every ticket action; then 403 for the owner.
  const t = await ticketFor(actor, ticketId);
  requirePermission(actor, "ticket:decide");
  const { body } = parseOrThrow(publishDraftSchema, input);
  if (t.state !== "resolved") throw conflict("Resolve the ticket before drafting a public answer.");
  if (t.publishedPostId) throw conflict("The answer is already published; edit the post in the thread instead.");
  // Refuses links the maintainer could not post (never for maintainers, kept for the rule's sake).
  renderForAuthor(actor, body);
  const { count } = await db.ticket.updateMany({
    where: { id: t.id, publishedPostId: null },
    data: { publishDraft: body, publishDraftById: actor.id, publishConsentAt: null, publishDeclinedAt: null },
  });
  if (!count) throw conflict("The answer was published meanwhile.");
  await notify(db, [t.ownerId], {
    kind: "ticket",
    title: `The maintainer drafted a public answer for “${t.thread.title}”: it is published only if you agree`,
    url: `/tickets/${t.id}`,
    actorId: actor.id,
  });
}

/**
 * The owner agrees to the draft they read: it is posted to the thread at once,
 * as the maintainer's reply, through the normal search outbox.
 */
export async function consentAndPublish(actor: Author, ticketId: string, input: unknown, now = new Date()) {
  const t = await ticketFor(actor, ticketId);
  if (t.ownerId !== actor.id) throw forbidden("Only the member who opened the ticket can agree to publishing it.");
  const { draftHash: seen } = parseOrThrow(consentSchema, input);
  if (t.publishedPostId) return { postUrl: await urlOf(t.publishedPostId, t.thread) };
  if (t.state !== "resolved" || !t.publishDraft || !t.publishDraftById) throw conflict("There is no draft to publish.");
  if (t.publishDeclinedAt) throw conflict("You declined this draft; it is published only if the maintainer proposes a new one.");
  if (draftHash(t.publishDraft) !== seen) throw conflict("The maintainer changed the draft since you opened it; read it again.");
  if (t.thread.hidden || t.thread.deletedAt) throw conflict("The thread was removed; the answer cannot be published there.");
  if (t.thread.locked) throw conflict("The thread is locked; ask a moderator to unlock it first.");
  const author = await db.user.findUniqueOrThrow({
    where: { id: t.publishDraftById },
    select: { id: true, role: true, trustLevel: true, username: true },
  });
  const body = t.publishDraft;
  const bodyHtml = renderForAuthor(author, body);
  const number = await db.$transaction(async (tx) => {
    // The consent is claimed on the text it was given to; a concurrent edit or double click finds nothing.
    const claimed = await tx.ticket.updateMany({
      where: { id: t.id, publishedPostId: null, publishDraft: body, publishDeclinedAt: null, state: "resolved" },
      data: { publishConsentAt: now },
    });
    if (!claimed.count) throw conflict("The draft changed or was published meanwhile; reload the ticket.");
    await tx.thread.update({ where: { id: t.threadId }, data: { replyCount: { increment: 1 }, lastPostAt: now } });
    const last = await tx.post.aggregate({ where: { threadId: t.threadId }, _max: { number: true } });
    const next = (last._max.number ?? 0) + 1;
    const post = await tx.post.create({
      data: { threadId: t.threadId, number: next, authorId: author.id, body, bodyHtml, fromTicketId: t.id, createdAt: now },
      select: { id: true },
    });
    await tx.category.update({ where: { id: t.thread.categoryId }, data: { postCount: { increment: 1 } } });
    await tx.ticket.update({ where: { id: t.id }, data: { publishedPostId: post.id } });
    await tx.thread.updateMany({ where: { id: t.threadId, resolvedViaSupportAt: null }, data: { resolvedViaSupportAt: now } });
    await notify(tx, [t.thread.authorId], {
      kind: "reply",
      title: `${author.username} posted an answer from paid support to “${t.thread.title}”`,
      url: postUrl(t.thread, next),
      actorId: actor.id,
    });
    await enqueueSearchSync(tx, t.threadId);
    return next;
  });
  return { postUrl: postUrl(t.thread, number) };
}

/**
 * The owner declines the draft they read: the decision is recorded, the maintainer
 * who wrote it is told, and nothing is published. A new draft asks again.
 */
export async function declinePublish(actor: Author, ticketId: string, input: unknown, now = new Date()) {
  const t = await ticketFor(actor, ticketId);
  if (t.ownerId !== actor.id) throw forbidden("Only the member who opened the ticket can decline publishing it.");
  const { draftHash: seen } = parseOrThrow(consentSchema, input);
  if (t.publishedPostId) throw conflict("The answer is already published; ask a moderator to remove it from the thread.");
  if (t.state !== "resolved" || !t.publishDraft || !t.publishDraftById) throw conflict("There is no draft to decline.");
  if (draftHash(t.publishDraft) !== seen) throw conflict("The maintainer changed the draft since you opened it; read it again.");
  if (t.publishDeclinedAt) return;
  await db.$transaction(async (tx) => {
    const claimed = await tx.ticket.updateMany({
      where: { id: t.id, publishedPostId: null, publishDraft: t.publishDraft, publishDeclinedAt: null },
      data: { publishDeclinedAt: now },
    });
    if (!claimed.count) throw conflict("The draft changed or was published meanwhile; reload the ticket.");
    await notify(tx, [t.publishDraftById!], {
      kind: "ticket",
      title: `The member declined publishing your answer for “${t.thread.title}”: nothing was posted`,
      url: `/tickets/${t.id}`,
      // Desk work: maintainers see desk notifications whatever their community settings.
      lane: "desk",
      actorId: actor.id,
    });
  });
}

async function renderAsDrafter(authorId: string, body: string) {
  const author = await db.user.findUnique({ where: { id: authorId }, select: { id: true, role: true, trustLevel: true, username: true } });
  return author ? renderForAuthor(author, body) : null;
}

async function urlOf(postId: string, thread: { id: string; slug: string }) {
  const post = await db.post.findUnique({ where: { id: postId }, select: { number: true } });
  return post ? postUrl(thread, post.number) : null;
}

/** The owner accepts the published answer: the ordinary accepted-answer rules apply (the asker, or a moderator). */
export async function acceptPublishedAnswer(actor: Author, ticketId: string) {
  const t = await ticketFor(actor, ticketId);
  if (t.ownerId !== actor.id) throw forbidden("Only the member who opened the ticket can do this here.");
  if (!t.publishedPostId) throw conflict("Nothing has been published from this ticket yet.");
  return acceptAnswer(actor, t.publishedPostId);
}
