import { editPost as editDef } from "~/api/endpoints/threads";
import { deletePost as deleteDef } from "~/api/endpoints/moderation";
import { handle, on } from "~/api/endpoint.server";
import { mayChangePost } from "~/api/guards.server";
import { editPost } from "~/models/community/post.server";
import { deletePost } from "~/models/moderation/post-moderation.server";

export const action = handle(
  on(editDef, async ({ params, user, body }) => editPost(user, params.id!, body), mayChangePost("edit")),
  on(deleteDef, async ({ params, user, body }) => deletePost(user, params.id!, body), mayChangePost("delete")),
);
