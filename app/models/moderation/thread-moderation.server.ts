import { db } from "~/services/db.server";
import { badRequest, forbidden } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { can, requirePermission } from "~/models/permissions";
import { missingReason, moveThreadSchema, optionalReasonSchema, requiredReasonSchema } from "~/models/moderation/reasons";
import {
  audit,
  changeThread,
  deleteUnit,
  ensureThreadExists,
  hideUnit,
  loadThread,
  restoreUnit,
  threadState,
  unhideUnit,
  updateUnit,
  type ThreadState,
} from "~/models/moderation/thread-unit.server";
import type { Actor } from "~/models/types";

// Moderating a thread (with its question): hide, lock, move, delete, and undo each.

export async function hideThread(actor: Actor | null, threadId: string, input: unknown): Promise<ThreadState> {
  requirePermission(actor, "post:hide:any");
  const { reason } = parseOrThrow(requiredReasonSchema, input);
  await ensureThreadExists(threadId);
  return changeThread(threadId, async (tx) => hideUnit(tx, actor, await loadThread(tx, threadId, actor), reason));
}

export async function unhideThread(actor: Actor | null, threadId: string, input: unknown = {}): Promise<ThreadState> {
  requirePermission(actor, "post:hide:any");
  const { reason } = parseOrThrow(optionalReasonSchema, input);
  await ensureThreadExists(threadId);
  return changeThread(threadId, async (tx) => unhideUnit(tx, actor, await loadThread(tx, threadId, actor), reason));
}

/** Locked threads take no replies and no edits by members; they stay readable. */
export async function lockThread(actor: Actor | null, threadId: string, input: unknown = {}): Promise<ThreadState> {
  return setLocked(actor, threadId, input, true);
}

export async function unlockThread(actor: Actor | null, threadId: string, input: unknown = {}): Promise<ThreadState> {
  return setLocked(actor, threadId, input, false);
}

async function setLocked(actor: Actor | null, threadId: string, input: unknown, locked: boolean) {
  requirePermission(actor, "thread:lock:any");
  const { reason } = parseOrThrow(optionalReasonSchema, input);
  await ensureThreadExists(threadId);
  return changeThread(threadId, async (tx) => {
    const thread = await loadThread(tx, threadId, actor);
    if (thread.locked === locked) return threadState(thread, false);
    const updated = await updateUnit(tx, thread, { locked });
    await audit(tx, actor, locked ? "thread.lock" : "thread.unlock", thread, reason);
    return threadState(updated, true);
  });
}

/** Moves a thread to another category; both categories' counters follow. */
export async function moveThread(actor: Actor | null, threadId: string, input: unknown): Promise<ThreadState> {
  requirePermission(actor, "thread:move:any");
  const { category: slug, reason } = parseOrThrow(moveThreadSchema, input);
  const category = await db.category.findUnique({ where: { slug }, select: { id: true, slug: true } });
  if (!category) throw badRequest("That category does not exist.", { category: "Choose an existing category." });
  await ensureThreadExists(threadId);
  return changeThread(threadId, async (tx) => {
    const thread = await loadThread(tx, threadId, actor);
    if (thread.categoryId === category.id) return threadState(thread, false);
    const updated = await updateUnit(tx, thread, { categoryId: category.id });
    await audit(tx, actor, "thread.move", thread, reason, { from: thread.category.slug, to: category.slug });
    return threadState(updated, true);
  });
}

/** Soft-deletes a thread: its author while nobody has replied, or a moderator with a reason. */
export async function deleteThread(actor: Actor | null, threadId: string, input: unknown = {}): Promise<ThreadState> {
  requirePermission(actor, "post:delete:own");
  const { reason } = parseOrThrow(optionalReasonSchema, input);
  await ensureThreadExists(threadId);
  return changeThread(threadId, async (tx) => {
    const thread = await loadThread(tx, threadId, actor);
    if (!can(actor, "post:delete", thread.authorId)) throw forbidden("You can only delete your own threads.");
    if (thread.authorId !== actor.id && !reason) throw missingReason();
    return deleteUnit(tx, actor, thread, reason);
  });
}

export async function restoreThread(actor: Actor | null, threadId: string, input: unknown = {}): Promise<ThreadState> {
  requirePermission(actor, "post:delete:any");
  const { reason } = parseOrThrow(optionalReasonSchema, input);
  await ensureThreadExists(threadId);
  return changeThread(threadId, async (tx) => restoreUnit(tx, actor, await loadThread(tx, threadId, actor), reason));
}
