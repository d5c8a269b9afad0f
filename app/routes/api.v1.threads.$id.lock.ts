import { lockThread as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/permission-guard.server";
import { lockThread } from "~/models/moderation/thread-moderation.server";

export const action = staffOnly("thread:lock:any", handle(on(endpointDef, async ({ params, user, body }) => lockThread(user, params.id!, body))));
