import { listTiers as endpointDef } from "~/api/endpoints/support";
import { handle, on } from "~/api/endpoint.server";
import { listTiers, presentTier } from "~/models/escalation/tier.server";

export const loader = handle(on(endpointDef, async () => (await listTiers()).map(presentTier)));
