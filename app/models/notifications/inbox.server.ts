import { z } from "zod";
import type { Prisma } from "~/generated/prisma/client";
import { db } from "~/services/db.server";
import { badRequest } from "~/utils/errors";
import { parseOrThrow } from "~/utils/validation";
import { markRead, unreadCount } from "~/models/notifications/notification.server";

// The member's side of notifications: the paged inbox, marking read, and
// e-mail preferences (including the one-click unsubscribe from e-mails).

export const INBOX_PAGE_SIZE = 30;

const booleanish = z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")]);

export const inboxQuerySchema = z
  .object({
    unread: booleanish.optional().describe("true: only unread notifications"),
    cursor: z.string().max(100).optional().describe("`nextCursor` of the previous page"),
  })
  .meta({ id: "NotificationsQuery" });

export type InboxQuery = z.output<typeof inboxQuerySchema>;
export const parseInboxQuery = (input: unknown): InboxQuery => parseOrThrow(inboxQuerySchema, input);

export const markReadSchema = z
  .object({
    ids: z.array(z.string().min(1).max(40)).min(1).max(500).optional().describe("Notifications to mark read"),
    all: z.literal(true).optional().describe("Mark every notification read"),
  })
  .refine((v) => Boolean(v.ids) !== Boolean(v.all), { message: "Send either `ids` or `all: true`.", path: ["ids"] })
  .meta({ id: "MarkNotificationsRead" });

export const notificationSettingsSchema = z
  .object({
    email: booleanish.optional().describe("E-mail me a summary of unread notifications"),
    communityForMaintainer: booleanish
      .optional()
      .describe("Maintainers only: also notify me about community activity (off by default, so the desk stays about paid work)"),
  })
  .meta({ id: "NotificationSettings" });

const itemSelect = {
  id: true,
  kind: true,
  title: true,
  url: true,
  lane: true,
  readAt: true,
  createdAt: true,
} satisfies Prisma.NotificationSelect;

// Keyset cursor "<createdAt ms>_<id>": stable while new notifications arrive on top.
function afterCursor(cursor: string | undefined): Prisma.NotificationWhereInput | undefined {
  if (!cursor) return undefined;
  const [ms, id] = cursor.split("_");
  const at = Number(ms);
  if (!id || !Number.isFinite(at)) throw badRequest("Invalid cursor.", { cursor: "Invalid cursor." });
  const date = new Date(at);
  return { OR: [{ createdAt: { lt: date } }, { createdAt: date, id: { lt: id } }] };
}

export async function listInbox(userId: string, q: InboxQuery = {}) {
  const where: Prisma.NotificationWhereInput = { userId, ...(q.unread ? { readAt: null } : {}) };
  const keyset = afterCursor(q.cursor);
  const [rows, unread] = await Promise.all([
    db.notification.findMany({
      where: keyset ? { AND: [where, keyset] } : where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: INBOX_PAGE_SIZE + 1,
      select: itemSelect,
    }),
    unreadCount(userId),
  ]);
  const page = rows.slice(0, INBOX_PAGE_SIZE);
  const last = page[page.length - 1];
  return {
    notifications: page,
    unreadCount: unread,
    nextCursor: rows.length > INBOX_PAGE_SIZE && last ? `${last.createdAt.getTime()}_${last.id}` : null,
  };
}

/** Marks the listed notifications (only the member's own) or all of them read. */
export async function markNotificationsRead(userId: string, input: unknown) {
  const q = parseOrThrow(markReadSchema, input);
  const marked = await markRead(userId, q.all ? undefined : q.ids);
  return { marked, unreadCount: await unreadCount(userId) };
}

type SettingsUser = { id: string; role: string };

export async function getNotificationSettings(user: SettingsUser) {
  const row = await db.user.findUniqueOrThrow({
    where: { id: user.id },
    select: { emailOptOut: true, communityNotificationsForMaintainer: true },
  });
  return {
    email: !row.emailOptOut,
    // Everyone but a maintainer always gets community notifications.
    communityForMaintainer: user.role === "maintainer" ? row.communityNotificationsForMaintainer : null,
  };
}

export async function updateNotificationSettings(user: SettingsUser, input: unknown) {
  const q = parseOrThrow(notificationSettingsSchema, input);
  if (q.communityForMaintainer !== undefined && user.role !== "maintainer") {
    throw badRequest("Only maintainers choose whether they get community notifications.", {
      communityForMaintainer: "Only maintainers have this setting; everyone else gets community notifications.",
    });
  }
  await db.user.update({
    where: { id: user.id },
    data: {
      ...(q.email !== undefined ? { emailOptOut: !q.email } : {}),
      ...(q.communityForMaintainer !== undefined ? { communityNotificationsForMaintainer: q.communityForMaintainer } : {}),
    },
  });
  return getNotificationSettings(user);
}

const unsubscribeKeySchema = z.string().min(20).max(100);

/** Who an unsubscribe link belongs to (no sign-in: the key in the e-mail is the credential). */
export async function findByUnsubscribeKey(key: string) {
  if (!unsubscribeKeySchema.safeParse(key).success) return null;
  return db.user.findUnique({ where: { unsubscribeKey: key }, select: { username: true, emailOptOut: true } });
}

/** Sets or clears the e-mail opt-out for the owner of an unsubscribe key; false when the key is unknown. */
export async function setEmailOptOutByKey(key: string, optOut: boolean) {
  if (!unsubscribeKeySchema.safeParse(key).success) return false;
  const { count } = await db.user.updateMany({ where: { unsubscribeKey: key }, data: { emailOptOut: optOut } });
  return count > 0;
}
