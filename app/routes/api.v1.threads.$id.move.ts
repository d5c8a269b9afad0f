import { moveThread as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/permission-guard.server";
import { moveThread } from "~/models/moderation/thread-moderation.server";

export const action = staffOnly("thread:move:any", handle(on(endpointDef, async ({ params, user, body }) => moveThread(user, params.id!, body))));
