import { unlockThread as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/guards.server";
import { unlockThread } from "~/models/moderation/thread-moderation.server";

export const action = handle(
  on(endpointDef, async ({ params, user, body }) => unlockThread(user, params.id!, body), staffOnly("thread:lock:any")),
);
