import { dismissFlag as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/guards.server";
import { dismissFlag } from "~/models/moderation/flag.server";

export const action = handle(
  on(endpointDef, async ({ params, user, body }) => dismissFlag(user, params.id!, body), staffOnly("flag:handle")),
);
