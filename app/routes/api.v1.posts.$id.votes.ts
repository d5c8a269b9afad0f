import { votePost as voteDef } from "~/api/endpoints/threads";
import { handle, on } from "~/api/endpoint.server";
import { requirePermission } from "~/models/permissions";
import { votePost } from "~/models/community/post.server";

export const action = handle(
  on(voteDef, async ({ params, user }) => {
    requirePermission(user, "post:vote");
    return votePost(user, params.id!);
  }),
);
