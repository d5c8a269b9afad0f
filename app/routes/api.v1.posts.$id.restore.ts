import { restorePost as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/guards.server";
import { restorePost } from "~/models/moderation/post-moderation.server";

export const action = handle(
  on(endpointDef, async ({ params, user, body }) => restorePost(user, params.id!, body), staffOnly("post:delete:any")),
);
