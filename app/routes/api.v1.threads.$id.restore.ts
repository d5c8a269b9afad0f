import { restoreThread as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/guards.server";
import { restoreThread } from "~/models/moderation/thread-moderation.server";

export const action = handle(
  on(endpointDef, async ({ params, user, body }) => restoreThread(user, params.id!, body), staffOnly("post:delete:any")),
);
