import { restoreThread as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/permission-guard.server";
import { restoreThread } from "~/models/moderation/thread-moderation.server";

export const action = staffOnly("post:delete:any", handle(on(endpointDef, async ({ params, user, body }) => restoreThread(user, params.id!, body))));
