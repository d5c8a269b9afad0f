import { postTicketMessage } from "~/api/endpoints/support";
import { handle, on } from "~/api/endpoint.server";
import { mayActOnTicket } from "~/api/guards.server";
import { postMessage } from "~/models/tickets/ticket.server";

export const action = handle(
  on(postTicketMessage, async ({ user, params, body }) => postMessage(user, params.id!, body), mayActOnTicket()),
);
