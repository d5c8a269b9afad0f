import { db } from "~/services/db.server";
import { formatDateTime } from "~/components/time";
import { sendMail } from "~/services/mail.server";
import { logger } from "~/services/logger.server";
import { conflict } from "~/utils/errors";
import { siteOrigin } from "~/utils/url.server";
import { requirePermission } from "~/models/permissions";
import { pausedMessage, supportStatus } from "~/models/availability/availability.server";
import { scheduleReopenChecks } from "~/models/availability/reopen-schedule.server";
import type { Actor } from "~/models/types";

// "E-mail me when it reopens" (docs/product.md §4.13): one request per member while
// intake is paused, answered once by the reopen check.

/** Records the request; a second one while the first is pending changes nothing. */
export async function requestReopenMail(actor: Actor, now = new Date()) {
  requirePermission(actor, "escalation:create");
  const status = await supportStatus(now);
  if (status.open) throw conflict("Paid support is open now: you can escalate right away.");
  const pending = await db.reopenRequest.findFirst({ where: { userId: actor.id, notifiedAt: null }, select: { id: true } });
  if (!pending) await db.reopenRequest.create({ data: { userId: actor.id } });
  if (status.reopensAt) await scheduleReopenChecks(db, [status.reopensAt]);
  return { requested: true as const, message: pausedMessage(status.reason, status.reopensAt) };
}

export async function hasPendingReopenRequest(userId: string) {
  return Boolean(await db.reopenRequest.findFirst({ where: { userId, notifiedAt: null }, select: { id: true } }));
}

/**
 * The reopen check: when intake is open, each pending request is marked and then mailed,
 * so a second run (or a second server) never mails anyone twice. Still paused by an
 * absence: the check is queued again for the known reopening.
 */
export async function runReopenCheck(now = new Date()): Promise<number> {
  const status = await supportStatus(now);
  if (!status.open) {
    if (status.reopensAt) await scheduleReopenChecks(db, [status.reopensAt]);
    return 0;
  }
  const pending = await db.reopenRequest.findMany({
    where: { notifiedAt: null },
    select: { id: true, user: { select: { email: true, username: true } } },
    orderBy: { createdAt: "asc" },
  });
  let sent = 0;
  for (const r of pending) {
    const { count } = await db.reopenRequest.updateMany({ where: { id: r.id, notifiedAt: null }, data: { notifiedAt: now } });
    if (count === 0) continue;
    try {
      await sendMail(reopenMail(r.user, now));
      sent++;
    } catch (error) {
      // Put back for the next check: the request was not answered.
      await db.reopenRequest.update({ where: { id: r.id }, data: { notifiedAt: null } });
      logger.warn(`reopen mail to ${r.user.username} not sent (${error instanceof Error ? error.message : "error"})`);
    }
  }
  return sent;
}

const reopenMail = (user: { email: string; username: string }, now: Date) => ({
  to: user.email,
  subject: "Paid support is open again",
  text: [
    `Hello ${user.username},`,
    "",
    `You asked to hear when paid support reopens: it is open again since ${formatDateTime(now)}.`,
    "Open the thread you wanted help with and choose “Get paid support”; the gate shows the current waiting list and response times.",
    "",
    siteOrigin(),
  ].join("\n"),
});

export const runReopenJobs = async () => {
  await runReopenCheck();
};
