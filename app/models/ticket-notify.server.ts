import type { Prisma } from "~/generated/prisma/client";
import { getEnv } from "~/env.server";
import { db } from "~/services/db.server";
import { enqueue, type JobRow } from "~/services/jobs.server";
import { sendMail } from "~/services/mail.server";
import { can, ROLES } from "./permissions";

// Ticket notifications go to the ticket's owner (lane "community", their
// normal inbox) and to the maintainers (lane "desk"), never to anyone else.
// Titles name the public thread only; private text stays on the ticket page.
type Tx = Prisma.TransactionClient;

export const TICKET_MAIL_QUEUE = "ticket-mail";
export const ticketPath = (id: string) => `/tickets/${id}`;

export type TicketRef = { id: string; ownerId: string; threadTitle: string };

const DESK_ROLES = ROLES.filter((role) => can({ id: "", role }, "ticket:decide"));

async function create(tx: Tx, userIds: string[], kind: "ticket" | "sla_warning", title: string, url: string, lane: "community" | "desk") {
  if (!userIds.length) return;
  const rows = await tx.notification.createManyAndReturn({
    data: userIds.map((userId) => ({ userId, kind, title: title.slice(0, 300), url, lane })),
    select: { id: true },
  });
  // E-mail goes out from the outbox after commit, so a rolled-back change never mails anyone.
  await enqueue(tx, TICKET_MAIL_QUEUE, { notificationIds: rows.map((r) => r.id) });
}

const quoted = (title: string) => `“${title.length > 80 ? `${title.slice(0, 79)}…` : title}”`;

export async function notifyOwner(tx: Tx, ticket: TicketRef, text: (thread: string) => string) {
  await create(tx, [ticket.ownerId], "ticket", text(quoted(ticket.threadTitle)), ticketPath(ticket.id), "community");
}

export async function notifyDesk(
  tx: Tx,
  ticket: TicketRef,
  text: (thread: string) => string,
  opts: { actorId?: string; kind?: "ticket" | "sla_warning" } = {},
) {
  const desk = await tx.user.findMany({ where: { role: { in: [...DESK_ROLES] } }, select: { id: true } });
  const ids = desk.map((u) => u.id).filter((id) => id !== opts.actorId && id !== ticket.ownerId);
  await create(tx, ids, opts.kind ?? "ticket", text(quoted(ticket.threadTitle)), ticketPath(ticket.id), "desk");
}

/** Queue handler: e-mails each notification once (the link only, never ticket text). */
export async function sendTicketMail(jobs: JobRow[]) {
  const env = getEnv();
  const ids = jobs.flatMap((j) => (j.payload as { notificationIds?: string[] }).notificationIds ?? []);
  const pending = await db.notification.findMany({
    where: { id: { in: ids }, emailedAt: null },
    select: { id: true, title: true, url: true, user: { select: { email: true, emailOptOut: true } } },
  });
  for (const n of pending) {
    if (!n.user.emailOptOut) {
      await sendMail({
        to: n.user.email,
        subject: `[Backline] ${n.title}`,
        text: `${n.title}\n\nOpen the ticket: ${env.publicUrl}${n.url}\n\nYou receive this because you take part in this paid support ticket.\n`,
      });
    }
    await db.notification.update({ where: { id: n.id }, data: { emailedAt: new Date() } });
  }
}
