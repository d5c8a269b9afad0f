import { dismissFlag as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/permission-guard.server";
import { dismissFlag } from "~/models/moderation/flag.server";

export const action = staffOnly("flag:handle", handle(on(endpointDef, async ({ params, user, body }) => dismissFlag(user, params.id!, body))));
