import { unhidePost as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/guards.server";
import { unhidePost } from "~/models/moderation/post-moderation.server";

export const action = handle(
  on(endpointDef, async ({ params, user, body }) => unhidePost(user, params.id!, body), staffOnly("post:hide:any")),
);
