import { db } from "~/services/db.server";
import type { DbOrTx } from "~/models/types";
import type { Prisma } from "~/generated/prisma/client";

export type NotificationKind = "reply" | "mention" | "accepted" | "moderation" | "ticket" | "sla_warning" | "digest";

/**
 * Creates in-app notifications in the caller's transaction. Maintainers get no
 * community notifications unless they opted in: the desk stays about paid work.
 */
export async function notify(
  tx: DbOrTx,
  userIds: string[],
  n: { kind: NotificationKind; title: string; url: string; lane?: "community" | "desk"; actorId?: string },
) {
  const lane = n.lane ?? "community";
  const targets = [...new Set(userIds)].filter((id) => id !== n.actorId);
  if (!targets.length) return;
  let recipients = targets;
  if (lane === "community") {
    const users = await tx.user.findMany({
      where: { id: { in: targets } },
      select: { id: true, role: true, communityNotificationsForMaintainer: true },
    });
    recipients = users.filter((u) => u.role !== "maintainer" || u.communityNotificationsForMaintainer).map((u) => u.id);
  }
  if (!recipients.length) return;
  await tx.notification.createMany({
    data: recipients.map((userId) => ({ userId, kind: n.kind, title: n.title.slice(0, 300), url: n.url, lane })),
  });
}

export const unreadWhere = { readAt: null } satisfies Prisma.NotificationWhereInput;
export const unreadCount = (userId: string) => db.notification.count({ where: { userId, ...unreadWhere } });

export async function listNotifications(userId: string, opts: { lane?: "community" | "desk"; take?: number } = {}) {
  return db.notification.findMany({
    where: { userId, ...(opts.lane ? { lane: opts.lane } : {}) },
    orderBy: { createdAt: "desc" },
    take: opts.take ?? 50,
    select: { id: true, kind: true, title: true, url: true, lane: true, readAt: true, createdAt: true },
  });
}

export async function markRead(userId: string, ids?: string[]) {
  const { count } = await db.notification.updateMany({
    where: { userId, readAt: null, ...(ids ? { id: { in: ids } } : {}) },
    data: { readAt: new Date() },
  });
  return count;
}
