import { conflict, forbidden } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { can, requirePermission } from "~/models/permissions";
import { isRemoved } from "~/models/community/visibility.server";
import { missingReason, optionalReasonSchema, requiredReasonSchema } from "~/models/moderation/reasons";
import {
  auditPost,
  changeThread,
  deleteUnit,
  hideUnit,
  loadPost,
  postSelect,
  postState,
  questionState,
  resolveOpenFlags,
  restoreUnit,
  threadIdOfPost,
  unhideUnit,
  updateUnit,
  type PostState,
} from "~/models/moderation/thread-unit.server";
import type { Actor } from "~/models/types";
import { plural } from "~/utils/text";

// Moderating one post. The question (post 0) is moderated with its thread, as one unit.

/** A moderator hides a post from everyone but moderators and its author; its open flags are resolved. */
export async function hidePost(actor: Actor | null, postId: string, input: unknown): Promise<PostState> {
  requirePermission(actor, "post:hide:any");
  const { reason } = parseOrThrow(requiredReasonSchema, input);
  return changeThread(await threadIdOfPost(postId), async (tx) => {
    const post = await loadPost(tx, postId, actor);
    if (post.number === 0) return questionState(post, await hideUnit(tx, actor, post.thread, reason));
    const flagIds = await resolveOpenFlags(tx, [post.id], "hidden", actor.id);
    if (post.hidden) {
      if (flagIds.length) await auditPost(tx, actor, "post.hide", post, reason, { flagIds, confirmed: true });
      return postState(post, false);
    }
    const updated = await tx.post.update({ where: { id: post.id }, data: { hidden: true }, select: postSelect });
    await auditPost(tx, actor, "post.hide", post, reason, { flagIds });
    return postState(updated, true);
  });
}

export async function unhidePost(actor: Actor | null, postId: string, input: unknown = {}): Promise<PostState> {
  requirePermission(actor, "post:hide:any");
  const { reason } = parseOrThrow(optionalReasonSchema, input);
  return changeThread(await threadIdOfPost(postId), async (tx) => {
    const post = await loadPost(tx, postId, actor);
    if (post.number === 0) return questionState(post, await unhideUnit(tx, actor, post.thread, reason));
    if (!post.hidden) return postState(post, false);
    const updated = await tx.post.update({ where: { id: post.id }, data: { hidden: false }, select: postSelect });
    await auditPost(tx, actor, "post.unhide", post, reason);
    return postState(updated, true);
  });
}

/**
 * Soft delete. Authors may delete their own posts (not a question others have
 * answered); moderators may delete any post and must say why.
 */
export async function deletePost(actor: Actor | null, postId: string, input: unknown = {}): Promise<PostState> {
  requirePermission(actor, "post:delete:own");
  const { reason } = parseOrThrow(optionalReasonSchema, input);
  return changeThread(await threadIdOfPost(postId), async (tx) => {
    const post = await loadPost(tx, postId, actor);
    if (!can(actor, "post:delete", post.authorId)) throw forbidden("You can only delete your own posts.");
    const moderating = post.authorId !== actor.id;
    if (moderating && !reason) throw missingReason();
    if (post.number === 0) return questionState(post, await deleteUnit(tx, actor, post.thread, reason));
    if (post.deletedAt) return postState(post, false);
    if (!moderating && post.thread.locked && !can(actor, "thread:lock:any")) {
      throw conflict("This thread is locked; its posts can no longer be changed.");
    }
    const updated = await tx.post.update({ where: { id: post.id }, data: { deletedAt: new Date() }, select: postSelect });
    const flagIds = moderating ? await resolveOpenFlags(tx, [post.id], "deleted", actor.id) : [];
    await auditPost(tx, actor, "post.delete", post, reason, { flagIds, byAuthor: !moderating });
    return postState(updated, true);
  });
}

/** Undoes a soft delete (moderators). */
export async function restorePost(actor: Actor | null, postId: string, input: unknown = {}): Promise<PostState> {
  requirePermission(actor, "post:delete:any");
  const { reason } = parseOrThrow(optionalReasonSchema, input);
  return changeThread(await threadIdOfPost(postId), async (tx) => {
    const post = await loadPost(tx, postId, actor);
    if (post.number === 0) return questionState(post, await restoreUnit(tx, actor, post.thread, reason));
    if (!post.deletedAt) return postState(post, false);
    const updated = await tx.post.update({ where: { id: post.id }, data: { deletedAt: null }, select: postSelect });
    await auditPost(tx, actor, "post.restore", post, reason);
    return postState(updated, true);
  });
}

/** Enough spam/abuse flags hide a member's post until a moderator reviews it; the flags stay open. */
export async function autoHidePost(postId: string, flagCount: number) {
  return changeThread(await threadIdOfPost(postId), async (tx) => {
    const post = await tx.post.findUniqueOrThrow({ where: { id: postId }, select: postSelect });
    if (isRemoved(post, post.thread)) return { changed: false };
    if (post.number === 0) await updateUnit(tx, post.thread, { hidden: true });
    else await tx.post.update({ where: { id: post.id }, data: { hidden: true } });
    await auditPost(tx, null, "post.auto_hide", post, `Hidden automatically after ${plural(flagCount, "flag")}; waiting for a moderator.`, {
      flagCount,
    });
    return { changed: true };
  });
}
