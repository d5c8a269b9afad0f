import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { notFound } from "~/utils/errors";
import { textExcerpt } from "~/utils/seo";
import { postUrl } from "~/models/community/post.server";
import { threadListSelect, toListItem } from "~/models/community/thread.server";
import { usernameIs } from "~/models/accounts/user.server";
import { notRemovedWhere } from "~/models/community/visibility.server";

// A profile is public: it shows only content everyone can see, whoever looks.
const visibleThread = { ...notRemovedWhere } satisfies Prisma.ThreadWhereInput;
const visiblePost = { ...notRemovedWhere } satisfies Prisma.PostWhereInput;

export const RECENT_ACTIVITY = 10;

export const TRUST_LABELS = ["New member", "Member", "Trusted member"] as const;
export const trustLabel = (level: number) => TRUST_LABELS[Math.max(0, Math.min(TRUST_LABELS.length - 1, level))]!;

export async function getProfile(username: string) {
  const user = await db.user.findFirst({
    where: { username: usernameIs(username) },
    select: { id: true, username: true, displayName: true, bio: true, role: true, reputation: true, trustLevel: true, createdAt: true },
  });
  if (!user) throw notFound("There is no member with that name.");
  const replyWhere = { authorId: user.id, number: { gt: 0 }, ...visiblePost, thread: visibleThread } satisfies Prisma.PostWhereInput;
  const [threads, replies, acceptedAnswers, helpful, recentThreads, recentReplies] = await Promise.all([
    db.thread.count({ where: { authorId: user.id, ...visibleThread } }),
    db.post.count({ where: replyWhere }),
    db.thread.count({ where: { ...visibleThread, acceptedPost: { authorId: user.id, ...visiblePost } } }),
    db.post.aggregate({ where: { authorId: user.id, ...visiblePost, thread: visibleThread }, _sum: { score: true } }),
    db.thread.findMany({
      where: { authorId: user.id, ...visibleThread },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: RECENT_ACTIVITY,
      select: threadListSelect,
    }),
    db.post.findMany({
      where: replyWhere,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: RECENT_ACTIVITY,
      select: {
        id: true,
        number: true,
        score: true,
        bodyHtml: true,
        createdAt: true,
        acceptedIn: { select: { id: true } },
        thread: { select: { id: true, slug: true, title: true } },
      },
    }),
  ]);
  return {
    username: user.username,
    displayName: user.displayName,
    bio: user.bio,
    role: user.role,
    reputation: user.reputation,
    trustLevel: user.trustLevel,
    trustLabel: trustLabel(user.trustLevel),
    createdAt: user.createdAt,
    counts: { threads, replies, acceptedAnswers, helpfulVotes: helpful._sum.score ?? 0 },
    recentThreads: recentThreads.map(toListItem),
    recentReplies: recentReplies.map((p) => ({
      id: p.id,
      threadId: p.thread.id,
      threadTitle: p.thread.title,
      url: postUrl(p.thread, p.number),
      excerpt: textExcerpt(p.bodyHtml, 240),
      score: p.score,
      accepted: p.acceptedIn !== null,
      createdAt: p.createdAt,
    })),
  };
}

export type Profile = Awaited<ReturnType<typeof getProfile>>;
