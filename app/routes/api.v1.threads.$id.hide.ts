import { hideThread as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/permission-guard.server";
import { hideThread } from "~/models/moderation/thread-moderation.server";

export const action = staffOnly("post:hide:any", handle(on(endpointDef, async ({ params, user, body }) => hideThread(user, params.id!, body))));
