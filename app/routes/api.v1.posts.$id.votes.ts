import { votePost as voteDef, unvotePost as unvoteDef } from "~/api/endpoints/threads";
import { handle, on } from "~/api/endpoint.server";
import { requirePermission } from "~/models/permissions";
import { votePost } from "~/models/community/post.server";
import { unvotePost } from "~/models/community/undo.server";

export const action = handle(
  on(voteDef, async ({ params, user }) => {
    requirePermission(user, "post:vote");
    return votePost(user, params.id!);
  }),
  on(unvoteDef, async ({ params, user }) => {
    requirePermission(user, "post:vote");
    return unvotePost(user, params.id!);
  }),
);
