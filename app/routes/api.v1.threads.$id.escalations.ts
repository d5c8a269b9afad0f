import { createEscalation } from "~/api/endpoints/support";
import { handle, on } from "~/api/endpoint.server";
import { startEscalation } from "~/models/escalation/escalation.server";

export const action = handle(on(createEscalation, async ({ params, body, user }) => startEscalation(user, params.id!, body)));
