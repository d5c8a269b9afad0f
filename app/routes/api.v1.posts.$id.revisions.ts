import { listRevisions as listDef } from "~/api/endpoints/threads";
import { handle, on } from "~/api/endpoint.server";
import { listRevisions } from "~/models/community/post.server";

export const loader = handle(
  on(listDef, async ({ params, user }) => {
    const { revisions } = await listRevisions(user, params.id!);
    return { revisions: revisions.map(({ editor, ...r }) => ({ ...r, editor: editor.username })) };
  }),
);
