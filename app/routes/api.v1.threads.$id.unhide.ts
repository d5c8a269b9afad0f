import { unhideThread as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/guards.server";
import { unhideThread } from "~/models/moderation/thread-moderation.server";

export const action = handle(
  on(endpointDef, async ({ params, user, body }) => unhideThread(user, params.id!, body), staffOnly("post:hide:any")),
);
