import { editPost as editDef } from "~/api/endpoints/threads";
import { handle, on } from "~/api/endpoint.server";
import { editPost } from "~/models/post.server";

export const action = handle(on(editDef, async ({ params, user, body }) => editPost(user, params.id!, body)));
