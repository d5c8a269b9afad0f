import { listFlags as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/guards.server";
import { listFlagQueue } from "~/models/moderation/flag.server";

export const loader = handle(on(endpointDef, async ({ user, query }) => listFlagQueue(user, query), staffOnly("flag:handle")));
