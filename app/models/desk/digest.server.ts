import { getEnv } from "~/env.server";
import { db } from "~/services/db.server";
import { enqueue, type JobRow } from "~/services/jobs.server";
import { logger } from "~/services/logger.server";
import { sendMail } from "~/services/mail.server";
import { badgeFor, QUEUE_STATES, queueClockSelect, sortQueue } from "~/models/desk/queue";
import { can, ROLES } from "~/models/permissions";
import { formatDuration, type ClockLevel } from "~/models/tickets/sla";
import { stateLabel, type TicketState } from "~/models/tickets/state";
import { plural } from "~/utils/text";

// E-mail for the desk: the response-clock warning goes out at once (not in the
// batched notification e-mail, which may wait minutes), and once a day each
// maintainer gets one digest of the open paid items and their deadlines. Only
// public thread titles and links go out, never ticket text.

export const DESK_DIGEST_QUEUE = "desk-digest";
/** The digest goes out at this hour (UTC), the start of a European working day. */
export const DIGEST_HOUR_UTC = 7;

const DESK_ROLES = ROLES.filter((role) => can({ id: "", role }, "desk:view"));

const deskPeople = () =>
  db.user.findMany({
    where: { role: { in: [...DESK_ROLES] }, emailOptOut: false },
    select: { id: true, email: true, username: true },
  });

/**
 * Mails the desk the warning notifications of one ticket that are not yet
 * e-mailed. Claiming them with UPDATE … RETURNING keeps the batched
 * notification e-mail, or a second run, from sending them again.
 */
export async function sendSlaWarningMails(ticketId: string, now = new Date()): Promise<number> {
  const url = `/tickets/${ticketId}`;
  const claimed = await db.$queryRaw<{ id: string; userId: string; title: string }[]>`
    update "Notification" set "emailedAt" = ${now}
    where kind = 'sla_warning' and url = ${url} and "emailedAt" is null and "readAt" is null
    returning id, "userId", title`;
  if (!claimed.length) return 0;
  const users = await db.user.findMany({
    where: { id: { in: claimed.map((c) => c.userId) }, emailOptOut: false },
    select: { id: true, email: true, username: true },
  });
  const origin = getEnv().publicUrl;
  let sent = 0;
  for (const user of users) {
    const n = claimed.find((c) => c.userId === user.id)!;
    try {
      await sendMail({
        to: user.email,
        subject: `[Backline desk] Response deadline: ${n.title}`.slice(0, 200),
        text: [
          `Hi ${user.username},`,
          "",
          `${n.title}.`,
          "",
          `Open the ticket: ${origin}${url}`,
          `The desk: ${origin}/desk`,
          "",
          "--",
          "You get this e-mail because you work the paid support desk on Backline.",
          "",
        ].join("\n"),
        headers: { "Auto-Submitted": "auto-generated" },
      });
      sent++;
    } catch (error) {
      // Give the notification back to the batched e-mail, which retries.
      await db.notification.updateMany({ where: { id: n.id, emailedAt: now }, data: { emailedAt: null } });
      logger.warn(`deadline warning e-mail for user ${user.id} failed`, error);
    }
  }
  return sent;
}

/** The next digest time strictly after `now`. */
export function nextDigestAt(now: Date): Date {
  const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), DIGEST_HOUR_UTC));
  if (at <= now) at.setUTCDate(at.getUTCDate() + 1);
  return at;
}

export async function scheduleDeskDigest(now = new Date()) {
  await enqueue(db, DESK_DIGEST_QUEUE, { digest: true }, { dedupeKey: "daily", runAt: nextDigestAt(now) });
}

export type DigestItem = { title: string; url: string; state: string; tier: string; deadlineAt: Date; text: string; level: ClockLevel };

export function composeDigest(user: { email: string; username: string }, items: DigestItem[], origin: string, now: Date) {
  const overdue = items.filter((i) => i.level === "overdue").length;
  const soon = items.filter((i) => i.level === "soon").length;
  const subject = `[Backline desk] ${plural(items.length, "open paid item")}${overdue ? `, ${overdue} overdue` : ""}`;
  const lines = items.map((i) =>
    [
      `- ${i.title}`,
      `  ${i.state}, ${i.tier}: ${i.text} (deadline ${i.deadlineAt.toISOString().slice(0, 16).replace("T", " ")} UTC)`,
      `  ${origin}${i.url}`,
    ].join("\n"),
  );
  const text = [
    `Hi ${user.username},`,
    "",
    `Your paid support queue on ${now.toISOString().slice(0, 10)}: ${items.length} open, ${soon} due soon, ${overdue} overdue.`,
    "",
    ...lines,
    "",
    `The desk: ${origin}/desk`,
    "",
    "--",
    "You get this daily digest because you work the paid support desk on Backline.",
    "",
  ].join("\n");
  return { to: user.email, subject, text, headers: { "Auto-Submitted": "auto-generated" } };
}

/** The desk's open items with their deadlines, most urgent first. */
async function digestItems(now: Date): Promise<DigestItem[]> {
  const rows = await db.ticket.findMany({
    where: { state: { in: [...QUEUE_STATES] } },
    select: { ...queueClockSelect, thread: { select: { title: true } } },
  });
  return sortQueue(
    rows.map((r) => ({ ...r, responseHours: r.soldResponseHours })),
    now,
  ).map((r) => {
    const badge = badgeFor(r, r.soldResponseHours, now);
    return {
      title: r.thread.title,
      url: `/tickets/${r.id}`,
      state: stateLabel(r.state as TicketState),
      tier: r.soldTierName,
      deadlineAt: r.pausedAt ? new Date(now.getTime() + Number(r.remainingMs ?? 0)) : r.deadlineAt,
      text: r.pausedAt && badge.timeLeftMs !== null ? `paused with ${formatDuration(badge.timeLeftMs)} left` : badge.text,
      level: badge.level,
    };
  });
}

/**
 * One digest e-mail per maintainer per day. Each (day, maintainer) pair is
 * claimed with an insert that only one server can win, so a second job, a
 * retry or another app server never sends it twice.
 */
export async function sendDeskDigests(now = new Date()): Promise<number> {
  const items = await digestItems(now);
  if (!items.length) return 0;
  const day = now.toISOString().slice(0, 10);
  const origin = getEnv().publicUrl;
  let sent = 0;
  let failed: unknown;
  for (const user of await deskPeople()) {
    const key = `desk-digest:${day}:${user.id}`;
    const won = await db.$executeRaw`
      insert into "Setting" ("key", "value", "updatedAt") values (${key}, ${JSON.stringify({ at: now.toISOString() })}::jsonb, ${now})
      on conflict ("key") do nothing`;
    if (!won) continue;
    try {
      await sendMail(composeDigest(user, items, origin, now));
      sent++;
    } catch (error) {
      await db.setting.deleteMany({ where: { key } });
      logger.warn(`desk digest for user ${user.id} failed; will retry`, error);
      failed = error;
    }
  }
  if (failed) throw failed;
  return sent;
}

/** Queue handler: the next day's run is queued before the work so a failure cannot end the chain. */
export async function runDeskDigestJob(_jobs: JobRow[]) {
  const now = new Date();
  await scheduleDeskDigest(new Date(now.getTime() + 60_000));
  await sendDeskDigests(now);
}
