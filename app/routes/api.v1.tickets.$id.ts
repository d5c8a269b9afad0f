import { getTicket as endpointDef } from "~/api/endpoints/support";
import { handle, on } from "~/api/endpoint.server";
import { getTicket } from "~/models/tickets/ticket.server";

export const loader = handle(on(endpointDef, async ({ user, params }) => getTicket(user, params.id!)));
