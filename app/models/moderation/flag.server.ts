import { z } from "zod";
import { emptyOrVisible, NOTHING_VISIBLE } from "~/utils/text";
import { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { conflict, forbidden, notFound } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { writeAudit } from "~/models/moderation/audit.server";
import { autoHidePost } from "~/models/moderation/post-moderation.server";
import { resolveOpenFlags } from "~/models/moderation/thread-unit.server";
import { requirePermission } from "~/models/permissions";
import { enforce } from "~/models/rate-limit.server";
import { postUrl } from "~/models/community/post.server";
import { threadUrl } from "~/models/community/thread.server";
import { findVisiblePost, isRemoved } from "~/models/community/visibility.server";
import type { Actor, Tx } from "~/models/types";

export const FLAG_REASONS = ["spam", "offensive", "off-topic", "needs-moderator"] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];

// Discourse's per-member cap on flags, so a grudge cannot flood the queue.
export const FLAG_RATE = { max: 20, windowSeconds: 3600 } as const;

// Enough independent spam/abuse flags hide a post until a moderator looks (as Discourse does).
export const AUTO_HIDE_FLAGS = 3;
const AUTO_HIDE_REASONS: FlagReason[] = ["spam", "offensive"];
// Established content (an accepted answer, or a post by a trusted member) is hidden automatically only by
// flags from trusted members or staff: accounts made for the purpose cannot take it down. Other flags
// still reach the moderators' queue (docs/decisions/028).
export const TRUSTED_FLAGGER_LEVEL = 2;

export const FLAGS_PAGE_SIZE = 20;

export const flagPostSchema = z
  .object({
    reason: z.enum(FLAG_REASONS, { error: "Choose why you are flagging this post." }),
    details: z
      .string()
      .trim()
      .max(1000, "At most 1,000 characters.")
      .refine(emptyOrVisible, NOTHING_VISIBLE)
      .optional()
      .transform((v) => v || undefined),
  })
  .refine((v) => v.reason !== "needs-moderator" || Boolean(v.details), {
    path: ["details"],
    message: "Tell the moderators what needs their attention.",
  })
  .meta({ id: "FlagPost" });

export const flagQueueSchema = z
  .object({
    state: z.enum(["open", "resolved"]).default("open"),
    page: z.coerce.number().int().min(1).max(10_000).default(1),
  })
  .meta({ id: "FlagQueueQuery" });

export type FlagQueueQuery = z.output<typeof flagQueueSchema>;
export const parseFlagQueueQuery = (input: unknown): FlagQueueQuery => parseOrThrow(flagQueueSchema, input);

export const dismissSchema = z
  .object({
    reason: z
      .string()
      .trim()
      .max(500, "At most 500 characters.")
      .refine(emptyOrVisible, NOTHING_VISIBLE)
      .optional()
      .transform((v) => v || undefined),
  })
  .meta({ id: "DismissFlags" });

/** A member reports a post once, never their own; the moderation queue collects it. */
export async function flagPost(reporter: Actor, postId: string, input: unknown) {
  const data = parseOrThrow(flagPostSchema, input);
  requirePermission(reporter, "post:flag");
  const post = await findVisiblePost(reporter, postId, {
    id: true,
    author: { select: { role: true, trustLevel: true } },
    thread: { select: { acceptedPostId: true } },
  });
  if (post.authorId === reporter.id) throw forbidden("You cannot flag your own post; edit or delete it instead.");
  // Only moderators get this far with removed content; they act on it directly instead of flagging.
  if (isRemoved(post, post.thread)) throw conflict("This post is already hidden or deleted.");
  const existing = await db.flag.findUnique({ where: { postId_reporterId: { postId, reporterId: reporter.id } }, select: { id: true } });
  if (existing) throw alreadyFlagged();
  await enforce({ key: `flag:${reporter.id}`, ...FLAG_RATE, what: "flags" });
  let flag;
  try {
    flag = await db.flag.create({
      data: { postId, reporterId: reporter.id, reason: data.reason, details: data.details },
      select: { id: true, postId: true, reason: true, details: true, createdAt: true },
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw alreadyFlagged();
    throw error;
  }
  // Staff posts are never hidden by member flags; a moderator decides.
  if (AUTO_HIDE_REASONS.includes(data.reason) && post.author.role === "member") {
    const established = post.thread.acceptedPostId === post.id || post.author.trustLevel >= TRUSTED_FLAGGER_LEVEL;
    const weighty = await db.flag.count({
      where: { postId, resolvedAt: null, reason: { in: AUTO_HIDE_REASONS }, ...(established ? { reporter: trustedFlagger } : {}) },
    });
    if (weighty >= AUTO_HIDE_FLAGS) await autoHidePost(postId, weighty);
  }
  return flag;
}

const trustedFlagger = {
  OR: [{ trustLevel: { gte: TRUSTED_FLAGGER_LEVEL } }, { role: { not: "member" as const } }],
} satisfies Prisma.UserWhereInput;

const alreadyFlagged = () => conflict("You already flagged this post; a moderator will review it.");

/** Dismisses one flag: the moderator found nothing wrong. */
export async function dismissFlag(moderator: Actor, flagId: string, input: unknown = {}) {
  requirePermission(moderator, "flag:handle");
  const { reason } = parseOrThrow(dismissSchema, input);
  const flag = await db.flag.findUnique({ where: { id: flagId }, select: { id: true, postId: true, resolvedAt: true } });
  if (!flag) throw notFound("This flag does not exist.");
  if (flag.resolvedAt) throw conflict("This flag was already handled.");
  return db.$transaction(async (tx) => {
    const { count } = await tx.flag.updateMany({
      where: { id: flagId, resolvedAt: null },
      data: { resolvedAt: new Date(), resolvedById: moderator.id, resolution: "dismissed" },
    });
    if (count === 0) throw conflict("This flag was already handled.");
    await writeAudit(tx, {
      actorId: moderator.id,
      action: "flag.dismiss",
      targetType: "post",
      targetId: flag.postId,
      reason,
      data: { flagIds: [flagId], ...(await postContext(tx, flag.postId)) },
    });
    return { id: flagId, postId: flag.postId, resolution: "dismissed" as const };
  });
}

/** Dismisses every open flag on a post (the queue's "Dismiss flags"). */
export async function dismissFlagsOnPost(moderator: Actor, postId: string, input: unknown = {}) {
  requirePermission(moderator, "flag:handle");
  const { reason } = parseOrThrow(dismissSchema, input);
  return db.$transaction(async (tx) => {
    const ids = await resolveOpenFlags(tx, [postId], "dismissed", moderator.id);
    if (!ids.length) throw conflict("This post has no open flags.");
    await writeAudit(tx, {
      actorId: moderator.id,
      action: "flag.dismiss",
      targetType: "post",
      targetId: postId,
      reason,
      data: { flagIds: ids, ...(await postContext(tx, postId)) },
    });
    return { postId, dismissed: ids.length };
  });
}

async function postContext(tx: Tx, postId: string) {
  const post = await tx.post.findUnique({
    where: { id: postId },
    select: { number: true, thread: { select: { id: true, slug: true, title: true } } },
  });
  return post ? { threadId: post.thread.id, title: post.thread.title, number: post.number, url: postUrl(post.thread, post.number) } : {};
}

const queuePostSelect = {
  id: true,
  number: true,
  body: true,
  hidden: true,
  deletedAt: true,
  createdAt: true,
  author: { select: { username: true } },
  thread: { select: { id: true, slug: true, title: true, hidden: true, deletedAt: true, locked: true } },
} satisfies Prisma.PostSelect;

const excerpt = (body: string, max = 280) => {
  const flat = body.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/**
 * The moderation queue: flags grouped by post. Open posts with the most flags
 * come first, then the longest waiting; resolved ones newest first.
 */
export async function listFlagQueue(moderator: Actor | null, q: FlagQueueQuery) {
  requirePermission(moderator, "flag:handle");
  const open = q.state === "open";
  const where: Prisma.FlagWhereInput = { resolvedAt: open ? null : { not: null } };
  const groups = await db.flag.groupBy({
    by: ["postId"],
    where,
    _count: { id: true },
    _min: { createdAt: true },
    _max: { resolvedAt: true },
    orderBy: open
      ? [{ _count: { id: "desc" } }, { _min: { createdAt: "asc" } }, { postId: "asc" }]
      : [{ _max: { resolvedAt: "desc" } }, { postId: "asc" }],
    skip: (q.page - 1) * FLAGS_PAGE_SIZE,
    take: FLAGS_PAGE_SIZE,
  });
  const counted = await db.$queryRaw<{ total: bigint }[]>(
    open
      ? Prisma.sql`select count(distinct "postId") as total from "Flag" where "resolvedAt" is null`
      : Prisma.sql`select count(distinct "postId") as total from "Flag" where "resolvedAt" is not null`,
  );
  const total = Number(counted[0]?.total ?? 0);
  const postIds = groups.map((g) => g.postId);
  const [posts, flags] = await Promise.all([
    db.post.findMany({ where: { id: { in: postIds } }, select: queuePostSelect }),
    db.flag.findMany({
      where: { ...where, postId: { in: postIds } },
      orderBy: { createdAt: "asc" },
      select: {
        id: true,
        postId: true,
        reason: true,
        details: true,
        createdAt: true,
        resolvedAt: true,
        resolution: true,
        reporter: { select: { username: true } },
        resolvedBy: { select: { username: true } },
      },
    }),
  ]);
  const byId = new Map(posts.map((p) => [p.id, p]));
  const items = groups.flatMap((g) => {
    const p = byId.get(g.postId);
    if (!p) return [];
    const own = flags.filter((f) => f.postId === p.id);
    return [
      {
        post: {
          id: p.id,
          number: p.number,
          excerpt: excerpt(p.body),
          author: p.author.username,
          hidden: p.hidden,
          deleted: p.deletedAt !== null,
          createdAt: p.createdAt,
          url: postUrl(p.thread, p.number),
        },
        thread: {
          id: p.thread.id,
          title: p.thread.title,
          url: threadUrl(p.thread),
          hidden: p.thread.hidden,
          deleted: p.thread.deletedAt !== null,
          locked: p.thread.locked,
        },
        reasons: countReasons(own.map((f) => f.reason)),
        flags: own.map((f) => ({
          id: f.id,
          reason: f.reason,
          details: f.details,
          reporter: f.reporter.username,
          createdAt: f.createdAt,
          resolvedAt: f.resolvedAt,
          resolution: f.resolution,
          resolvedBy: f.resolvedBy?.username ?? null,
        })),
      },
    ];
  });
  return { state: q.state, items, page: q.page, pageSize: FLAGS_PAGE_SIZE, total };
}

const countReasons = (reasons: string[]) => {
  const counts: Record<string, number> = {};
  for (const r of reasons) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
};

export type FlagQueue = Awaited<ReturnType<typeof listFlagQueue>>;
