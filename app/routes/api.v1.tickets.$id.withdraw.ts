import { withdrawTicket as endpointDef } from "~/api/endpoints/support";
import { handle, on } from "~/api/endpoint.server";
import { mayWithdrawTicket } from "~/api/guards.server";
import { withdrawTicket } from "~/models/tickets/withdraw.server";

export const action = handle(on(endpointDef, async ({ user, params, body }) => withdrawTicket(user, params.id!, body), mayWithdrawTicket));
