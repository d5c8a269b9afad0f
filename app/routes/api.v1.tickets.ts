import { listTickets as endpointDef } from "~/api/endpoints/support";
import { handle, on } from "~/api/endpoint.server";
import { listTickets } from "~/models/tickets/ticket.server";

export const loader = handle(on(endpointDef, async ({ user, query }) => listTickets(user, query)));
