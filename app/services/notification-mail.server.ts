import { randomBytes } from "node:crypto";
import { getEnv } from "~/env.server";
import { db } from "./db.server";
import { enqueue } from "./jobs.server";
import { logger } from "./logger.server";
import { sendMail, type Mail } from "./mail.server";

// Batched notification e-mail. A periodic sweep finds members whose oldest
// un-e-mailed unread notification has waited the batching delay, and sends each
// one e-mail listing everything unread since. Notifications read in the app
// meanwhile are never e-mailed. Only titles and links go out: callers of
// notify() keep private text (tickets) out of titles.

export const NOTIFICATION_MAIL_QUEUE = "notification-mail";
const SWEEP_KEY = "sweep";
// Older notifications are not worth an e-mail (e.g. after e-mail was switched back on).
const MAX_AGE_MS = 7 * 86_400_000;
const USERS_PER_SWEEP = 50;
const ITEMS_PER_MAIL = 20;

const delayMs = () => getEnv().NOTIFICATION_EMAIL_DELAY_SECONDS * 1000;
const sweepIntervalMs = () => Math.min(60_000, Math.max(1_000, delayMs()));

type Claimed = { id: string; kind: string; title: string; url: string; createdAt: Date };

/** Sends every e-mail that is due; `more` says another batch is waiting. */
export async function sendDueNotificationMails(now = new Date()): Promise<{ sent: number; more: boolean }> {
  const dueBefore = new Date(now.getTime() - delayMs());
  const since = new Date(now.getTime() - MAX_AGE_MS);
  const due = await db.$queryRaw<{ userId: string }[]>`
    select distinct n."userId" from "Notification" n join "User" u on u.id = n."userId"
    where n."emailedAt" is null and n."readAt" is null
      and n."createdAt" > ${since} and n."createdAt" <= ${dueBefore}
      and u."emailOptOut" = false
    limit ${USERS_PER_SWEEP}`;
  let sent = 0;
  for (const { userId } of due) {
    if (await mailOneUser(userId, since, now)) sent++;
  }
  return { sent, more: due.length === USERS_PER_SWEEP };
}

async function mailOneUser(userId: string, since: Date, now: Date): Promise<boolean> {
  // Claiming with UPDATE … RETURNING makes a concurrent sweep (another app server) find nothing left.
  const items = await db.$queryRaw<Claimed[]>`
    update "Notification" set "emailedAt" = ${now}
    where "userId" = ${userId} and "emailedAt" is null and "readAt" is null and "createdAt" > ${since}
    returning id, kind, title, url, "createdAt"`;
  if (!items.length) return false;
  const user = await db.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, username: true, emailOptOut: true, unsubscribeKey: true },
  });
  if (!user || user.emailOptOut) return false;
  items.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  try {
    const unsubscribeKey = await strongUnsubscribeKey(user);
    await sendMail(composeNotificationMail({ ...user, unsubscribeKey }, items, getEnv().publicUrl));
    return true;
  } catch (error) {
    // A permanent SMTP rejection (5xx) would fail the same way every minute; anything else is retried.
    const code = (error as { responseCode?: number }).responseCode;
    if (!(code && code >= 500 && code < 600)) {
      await db.notification.updateMany({ where: { id: { in: items.map((i) => i.id) }, emailedAt: now }, data: { emailedAt: null } });
    }
    logger.warn(`notification e-mail for user ${user.id} failed${code ? ` (SMTP ${code})` : ""}`, error);
    return false;
  }
}

// The schema's default key is a cuid, which is guessable enough to let strangers
// unsubscribe someone; the first e-mail replaces it with 256 random bits.
async function strongUnsubscribeKey(user: { id: string; unsubscribeKey: string }) {
  if (user.unsubscribeKey.length >= 43) return user.unsubscribeKey;
  const key = randomBytes(32).toString("base64url");
  const { count } = await db.user.updateMany({
    where: { id: user.id, unsubscribeKey: user.unsubscribeKey },
    data: { unsubscribeKey: key },
  });
  if (count) return key;
  return (await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { unsubscribeKey: true } })).unsubscribeKey;
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
const absolute = (origin: string, url: string) =>
  url.startsWith("/") && !url.startsWith("//") ? `${origin}${url}` : `${origin}/notifications`;

export function composeNotificationMail(
  user: { email: string; username: string; unsubscribeKey: string },
  items: Pick<Claimed, "title" | "url">[],
  origin: string,
): Mail {
  const shown = items.slice(0, ITEMS_PER_MAIL).map((i) => ({ title: oneLine(i.title), url: absolute(origin, i.url) }));
  const hidden = items.length - shown.length;
  const inbox = `${origin}/notifications`;
  const unsubscribe = `${origin}/unsubscribe/${encodeURIComponent(user.unsubscribeKey)}`;
  const subject = items.length === 1 ? `[Backline] ${shown[0]!.title}` : `[Backline] ${items.length} new notifications`;
  const intro = items.length === 1 ? "You have a new notification on Backline:" : `You have ${items.length} new notifications on Backline:`;
  const more = hidden > 0 ? `…and ${hidden} more.` : "";

  const text = [
    `Hi ${user.username},`,
    "",
    intro,
    "",
    ...shown.flatMap((i) => [`- ${i.title}`, `  ${i.url}`]),
    ...(more ? ["", more] : []),
    "",
    `All notifications: ${inbox}`,
    "",
    "--",
    "You get this e-mail because e-mail notifications are on for your Backline account.",
    `Unsubscribe: ${unsubscribe}`,
    `Notification settings: ${inbox}#settings`,
    "",
  ].join("\n");

  const html = [
    `<p>Hi ${escapeHtml(user.username)},</p>`,
    `<p>${escapeHtml(intro)}</p>`,
    `<ul>${shown.map((i) => `<li><a href="${escapeHtml(i.url)}">${escapeHtml(i.title)}</a></li>`).join("")}</ul>`,
    more ? `<p>${escapeHtml(more)}</p>` : "",
    `<p><a href="${escapeHtml(inbox)}">See all notifications</a></p>`,
    `<hr><p style="color:#4f5863;font-size:13px">You get this e-mail because e-mail notifications are on for your Backline account. `,
    `<a href="${escapeHtml(unsubscribe)}">Unsubscribe</a> · <a href="${escapeHtml(inbox)}#settings">Notification settings</a></p>`,
  ].join("\n");

  return {
    to: user.email,
    subject,
    text,
    html,
    headers: {
      // RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to this URL.
      "List-Unsubscribe": `<${unsubscribe}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "Auto-Submitted": "auto-generated",
    },
  };
}

/** Schedules the next sweep; pending sweeps collapse into one row whatever the number of app servers. */
export async function scheduleNotificationMailSweep(runAt = new Date()) {
  await enqueue(db, NOTIFICATION_MAIL_QUEUE, { sweep: true }, { dedupeKey: SWEEP_KEY, runAt });
}

/** The sweep job (registered in app/server/job-registry.server.ts): e-mails what is due and keeps the chain of sweeps going. */
export async function runNotificationMailSweep() {
  const now = new Date();
  // The next run is queued before the work so a failing sweep cannot end the chain.
  await scheduleNotificationMailSweep(new Date(now.getTime() + sweepIntervalMs()));
  const { more } = await sendDueNotificationMails(now);
  if (more) await scheduleNotificationMailSweep(new Date());
}
