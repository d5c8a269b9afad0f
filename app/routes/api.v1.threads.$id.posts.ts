import { createPost } from "~/api/endpoints/threads";
import { handle, on } from "~/api/endpoint.server";
import { requirePermission } from "~/models/permissions";
import { createReply } from "~/models/community/post.server";

export const action = handle(
  on(createPost, async ({ params, user, body }) => {
    requirePermission(user, "post:create");
    const { id, threadId, number, author, body: text, bodyHtml, createdAt, url } = await createReply(user, params.id!, body);
    return Response.json({ id, threadId, number, author, body: text, bodyHtml, createdAt, url }, { status: 201 });
  }),
);
