import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { notFound } from "~/utils/errors";
import { canSeeRemoved, type Viewer } from "~/models/viewer";

// "Visible to this viewer, or 404": the one place that reads a thread or a post for a viewer.
// Hidden or deleted content (a post also goes with its thread) answers 404 to everyone but its
// author and moderators, so a removed thread's existence is not given away.

type Client = Prisma.TransactionClient;
type Removable = { hidden: boolean; deletedAt: Date | null };

/** Hidden or deleted, itself or through the thread it sits in. */
export const isRemoved = (...rows: Removable[]) => rows.some((r) => r.hidden || r.deletedAt !== null);

/** Neither hidden nor deleted: the rule of isRemoved, as a Prisma condition on a thread or post row. */
export const notRemovedWhere = { hidden: false, deletedAt: null } satisfies Prisma.PostWhereInput & Prisma.ThreadWhereInput;

/** Whether this viewer may see content by `authorId` that is, or sits in, the given rows. */
export const isVisibleTo = (viewer: Viewer, authorId: string, ...rows: Removable[]) =>
  !isRemoved(...rows) || canSeeRemoved(viewer, authorId);

export const threadNotFound = () => notFound("This thread does not exist or was removed.");
export const postNotFound = () => notFound("This post does not exist or was removed.");

const threadRule = { authorId: true, hidden: true, deletedAt: true } satisfies Prisma.ThreadSelect;

/** The thread with `select`, or 404 when it does not exist or this viewer may not see it. */
export async function findVisibleThread<S extends Prisma.ThreadSelect = typeof threadRule>(
  viewer: Viewer,
  id: string,
  select?: S,
  client: Client = db,
): Promise<Prisma.ThreadGetPayload<{ select: S & typeof threadRule }>> {
  const thread = await client.thread.findUnique({ where: { id }, select: { ...select, ...threadRule } });
  if (!thread || !isVisibleTo(viewer, thread.authorId, thread)) throw threadNotFound();
  return thread as Prisma.ThreadGetPayload<{ select: S & typeof threadRule }>;
}

const postRule = { authorId: true, hidden: true, deletedAt: true } satisfies Prisma.PostSelect;
type PostSelect = Omit<Prisma.PostSelect, "thread"> & { thread?: { select: Prisma.ThreadSelect } };
type ThreadPart<S extends PostSelect> = S extends { thread: { select: infer T } } ? T : object;
type VisiblePost<S extends PostSelect> = Prisma.PostGetPayload<{
  select: Omit<S, "thread"> & typeof postRule & { thread: { select: ThreadPart<S> & { hidden: true; deletedAt: true } } };
}>;

/** The post with `select`, or 404 when it does not exist or this viewer may not see it or its thread. */
export async function findVisiblePost<S extends PostSelect = typeof postRule>(
  viewer: Viewer,
  id: string,
  select?: S,
  client: Client = db,
): Promise<VisiblePost<S>> {
  const post = await client.post.findUnique({
    where: { id },
    select: { ...select, ...postRule, thread: { select: { ...select?.thread?.select, hidden: true, deletedAt: true } } },
  });
  if (!post || !isVisibleTo(viewer, post.authorId, post, post.thread)) throw postNotFound();
  return post as unknown as VisiblePost<S>;
}
