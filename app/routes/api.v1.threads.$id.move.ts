import { moveThread as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/guards.server";
import { moveThread } from "~/models/moderation/thread-moderation.server";

export const action = handle(
  on(endpointDef, async ({ params, user, body }) => moveThread(user, params.id!, body), staffOnly("thread:move:any")),
);
