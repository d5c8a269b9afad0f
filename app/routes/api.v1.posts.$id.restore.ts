import { restorePost as endpointDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { staffOnly } from "~/api/permission-guard.server";
import { restorePost } from "~/models/moderation/post-moderation.server";

export const action = staffOnly("post:delete:any", handle(on(endpointDef, async ({ params, user, body }) => restorePost(user, params.id!, body))));
