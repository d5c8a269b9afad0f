import { acceptPost } from "~/api/endpoints/threads";
import { handle, on } from "~/api/endpoint.server";
import { acceptAnswer } from "~/models/community/post.server";

export const action = handle(on(acceptPost, async ({ params, user }) => acceptAnswer(user, params.id!)));
