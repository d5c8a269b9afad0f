import { refundTicket as endpointDef } from "~/api/endpoints/support";
import { handle, on } from "~/api/endpoint.server";
import { mayActOnTicket } from "~/api/guards.server";
import { getTicket } from "~/models/tickets/ticket.server";
import { requestTicketRefund } from "~/models/tickets/refund.server";

export const action = handle(
  on(
    endpointDef,
    async ({ user, params, body }) => {
      await requestTicketRefund(user, params.id!, body);
      return getTicket(user, params.id!);
    },
    mayActOnTicket(true),
  ),
);
