import { notify } from "~/models/notifications/notification.server";
import { can, ROLES } from "~/models/permissions";
import type { Tx } from "~/models/types";

// Ticket notifications go to the ticket's owner (lane "community", their usual
// inbox) and to the maintainers (lane "desk"), never to anyone else. Titles name
// the public thread only; the private text stays on the ticket page. E-mail
// follows from the notification rows (app/services/notification-mail.server.ts).

export const ticketPath = (id: string) => `/tickets/${id}`;

export type TicketRef = { id: string; ownerId: string; threadTitle: string };

const DESK_ROLES = ROLES.filter((role) => can({ id: "", role }, "ticket:decide"));

const quoted = (title: string) => `“${title.length > 80 ? `${title.slice(0, 79)}…` : title}”`;

export async function notifyOwner(tx: Tx, ticket: TicketRef, text: (thread: string) => string) {
  await notify(tx, [ticket.ownerId], {
    kind: "ticket",
    title: text(quoted(ticket.threadTitle)),
    url: ticketPath(ticket.id),
    lane: "community",
  });
}

export async function notifyDesk(
  tx: Tx,
  ticket: TicketRef,
  text: (thread: string) => string,
  opts: { actorId?: string; kind?: "ticket" | "sla_warning" } = {},
) {
  const desk = await tx.user.findMany({ where: { role: { in: [...DESK_ROLES] } }, select: { id: true } });
  const ids = desk.map((u) => u.id).filter((id) => id !== ticket.ownerId);
  await notify(tx, ids, {
    kind: opts.kind ?? "ticket",
    title: text(quoted(ticket.threadTitle)),
    url: ticketPath(ticket.id),
    lane: "desk",
    actorId: opts.actorId,
  });
}
