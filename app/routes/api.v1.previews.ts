import { previewPost as previewDef } from "~/api/endpoints/threads";
import { handle, on } from "~/api/endpoint.server";
import { previewPost } from "~/models/community/preview.server";

export const action = handle(on(previewDef, async ({ user, body }) => previewPost(user, body)));
