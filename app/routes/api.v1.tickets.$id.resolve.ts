import { resolveTicket as endpointDef } from "~/api/endpoints/support";
import { handle, on } from "~/api/endpoint.server";
import { mayActOnTicket } from "~/api/guards.server";
import { resolveTicket } from "~/models/tickets/ticket.server";

export const action = handle(
  on(endpointDef, async ({ user, params, body }) => resolveTicket(user, params.id!, body), mayActOnTicket(true)),
);
