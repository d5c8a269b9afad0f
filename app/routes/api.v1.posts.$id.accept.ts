import { acceptPost, unacceptPost } from "~/api/endpoints/threads";
import { handle, on } from "~/api/endpoint.server";
import { acceptAnswer } from "~/models/community/post.server";
import { unacceptAnswer } from "~/models/community/undo.server";

export const action = handle(
  on(acceptPost, async ({ params, user }) => acceptAnswer(user, params.id!)),
  on(unacceptPost, async ({ params, user }) => unacceptAnswer(user, params.id!)),
);
